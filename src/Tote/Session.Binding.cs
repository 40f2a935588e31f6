using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Tote;

/// <content>Binding a <see cref="Session"/> parameter in Minimal API endpoints.</content>
public sealed partial class Session : IBindableFromHttpContext<Session>
{
    /// <summary>
    /// Binds a <see cref="Session"/> parameter of a Minimal API endpoint to the request's session.
    /// Called by ASP.NET Core; application code uses a parameter or <c>HttpContext.GetSession()</c>.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="parameter">The parameter being bound.</param>
    /// <returns>The request's session.</returns>
    /// <exception cref="InvalidOperationException"><c>AddTote</c> or <c>UseTote</c> is missing.</exception>
    public static ValueTask<Session?> BindAsync(HttpContext context, ParameterInfo parameter)
        => ValueTask.FromResult<Session?>(context.GetSession());
}
