using Tote;
using Tote.Drivers;
using Tote.Drivers.FileSystem;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the file-system driver.</summary>
public static class FileSystemToteBuilderExtensions
{
    /// <summary>
    /// Stores sessions in files on the local disk (the <c>fs</c> driver, also the default when no
    /// driver is chosen): under <c>.tote/sessions</c> in the content root unless
    /// <see cref="FileSessionStoreOptions.Path"/> says otherwise. Survives restarts; processes on
    /// one machine may share the directory; not shared between machines.
    /// </summary>
    /// <param name="builder">The Tote builder.</param>
    /// <param name="configure">Sets the driver's options; runs after binding <c>"Tote:FileSystem"</c>.</param>
    /// <returns>The builder.</returns>
    public static IToteBuilder UseFileSystem(this IToteBuilder builder, Action<FileSessionStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        ToteServiceCollectionExtensions.GetOrAddCatalog(builder.Services, out _).Select(FileSessionStore.DriverName);
        return builder;
    }
}
