namespace Tote.Redis.Tests.Servers;

/// <summary>Programs the tests start, found on the PATH.</summary>
internal static class Executables
{
    /// <summary>The full path of <paramref name="name"/> on the PATH, or <see langword="null"/>.</summary>
    public static string? Find(string name) => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, name))
        .FirstOrDefault(File.Exists);
}
