namespace Tote.Drivers.FileSystem;

/// <summary>
/// How the <c>fs</c> driver opens the files it creates: on Unix with mode 0600 (owner read and
/// write only), set at creation so no other user can open the file even for a moment, whatever
/// the process's umask. Windows files inherit the directory's ACL instead.
/// </summary>
internal static class PrivateFile
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Options for a new file written whole by one writer, unbuffered (the caller writes one array).</summary>
    public static FileStreamOptions CreateNew() => Options(FileMode.CreateNew, FileAccess.Write);

    /// <summary>Options for a lock file held exclusively, created when missing.</summary>
    public static FileStreamOptions OpenOrCreateExclusive() => Options(FileMode.OpenOrCreate, FileAccess.ReadWrite);

    private static FileStreamOptions Options(FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = Mode;
        }

        return options;
    }
}
