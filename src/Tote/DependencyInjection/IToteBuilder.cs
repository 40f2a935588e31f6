using Microsoft.Extensions.DependencyInjection;

namespace Tote;

/// <summary>
/// Returned by <c>services.AddTote()</c>: the place drivers register, as extension methods
/// (<c>.UseMemory()</c>, and <c>.UseRedis(…)</c> and others from driver packages).
/// </summary>
public interface IToteBuilder
{
    /// <summary>The application's services.</summary>
    IServiceCollection Services { get; }
}
