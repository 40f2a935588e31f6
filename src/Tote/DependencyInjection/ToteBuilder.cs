using Microsoft.Extensions.DependencyInjection;

namespace Tote.DependencyInjection;

internal sealed class ToteBuilder(IServiceCollection services) : IToteBuilder
{
    public IServiceCollection Services { get; } = services;
}
