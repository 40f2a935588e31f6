using Microsoft.Extensions.DependencyInjection;
using Tote;
using Tote.Http;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds Tote sessions to the request pipeline.</summary>
public static class ToteApplicationBuilderExtensions
{
    /// <summary>
    /// Gives every later middleware and endpoint the request's <see cref="Session"/>, and saves it
    /// before the response starts. Call it before the endpoints that use the session.
    /// </summary>
    /// <param name="app">The application.</param>
    /// <returns>The application.</returns>
    /// <exception cref="InvalidOperationException"><c>services.AddTote()</c> was not called.</exception>
    public static IApplicationBuilder UseTote(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ApplicationServices.GetService<SessionRuntime>() is null)
        {
            throw new InvalidOperationException(
                "app.UseTote() needs Tote's services. Call builder.Services.AddTote() in Program.cs before building the app.");
        }

        return app.UseMiddleware<ToteMiddleware>();
    }
}
