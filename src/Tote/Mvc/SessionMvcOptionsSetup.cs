using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ModelBinding.Metadata;

namespace Tote.Mvc;

/// <summary>
/// Teaches MVC and Razor Pages that a <see cref="Session"/> parameter comes from the request
/// (a special binding source, like <see cref="CancellationToken"/>), never from the body, even
/// under <c>[ApiController]</c> inference, and is never validated.
/// </summary>
internal sealed class SessionMvcOptionsSetup : Microsoft.Extensions.Options.IConfigureOptions<MvcOptions>
{
    public void Configure(MvcOptions options)
    {
        options.ModelBinderProviders.Insert(0, SessionModelBinder.Instance);
        options.ModelMetadataDetailsProviders.Add(new BindingSourceMetadataProvider(typeof(Session), BindingSource.Special));
        options.ModelMetadataDetailsProviders.Add(new SuppressChildValidationMetadataProvider(typeof(Session)));
    }
}
