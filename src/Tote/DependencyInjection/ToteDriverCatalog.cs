using Tote.Drivers;
using Tote.Drivers.FileSystem;

namespace Tote.DependencyInjection;

/// <summary>
/// The drivers an application can choose from, by configuration name, and the one chosen in
/// code. Resolution order: the driver chosen in code, then <see cref="ToteOptions.Driver"/>,
/// then <see cref="DefaultDriver"/>.
/// </summary>
internal sealed class ToteDriverCatalog
{
    /// <summary>The driver used when none is chosen: the file-system driver, durable with zero configuration.</summary>
    public const string DefaultDriver = FileSessionStore.DriverName;

    private readonly Dictionary<string, Func<IServiceProvider, ISessionStore>> _drivers = new(StringComparer.OrdinalIgnoreCase);

    public string? Selected { get; private set; }

    public IEnumerable<string> Names => _drivers.Keys;

    public void Register(string name, Func<IServiceProvider, ISessionStore> factory) => _drivers[name] = factory;

    public void Select(string name) => Selected = name;

    public bool Contains(string name) => _drivers.ContainsKey(name);

    public string Resolve(ToteOptions options) => Selected ?? options.Driver ?? DefaultDriver;

    public ISessionStore Create(string name, IServiceProvider services) => _drivers[name](services);
}
