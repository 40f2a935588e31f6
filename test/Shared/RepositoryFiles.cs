namespace Tote.Tests.Shared;

/// <summary>Files of the repository the tests run from (READMEs, samples), found above the test's directory.</summary>
internal static class RepositoryFiles
{
    /// <summary>The full path of <paramref name="path"/>, relative to the directory holding <c>Tote.slnx</c>.</summary>
    public static string Find(string path)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(System.IO.Path.Combine(directory.FullName, "Tote.slnx")))
        {
            directory = directory.Parent ?? throw new InvalidOperationException("Tote.slnx not found above the test's directory.");
        }

        return System.IO.Path.Combine(directory.FullName, path);
    }
}
