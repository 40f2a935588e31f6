using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ModelBinding.Validation;

namespace Tote.Mvc;

/// <summary>Binds a <see cref="Session"/> parameter of an MVC action or Razor Page handler to the request's session.</summary>
internal sealed class SessionModelBinder : IModelBinder, IModelBinderProvider
{
    public static SessionModelBinder Instance { get; } = new();

    public IModelBinder? GetBinder(ModelBinderProviderContext context)
        => context.Metadata.ModelType == typeof(Session) ? this : null;

    public Task BindModelAsync(ModelBindingContext bindingContext)
    {
        var session = bindingContext.HttpContext.GetSession();
        bindingContext.ValidationState[session] = new ValidationStateEntry { SuppressValidation = true };
        bindingContext.Result = ModelBindingResult.Success(session);
        return Task.CompletedTask;
    }
}
