using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Tote.Redis;

/// <summary>Checks <see cref="RedisSessionStoreOptions"/> at startup and lists every problem in one message.</summary>
internal sealed class RedisSessionStoreOptionsValidator : IValidateOptions<RedisSessionStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisSessionStoreOptions options)
    {
        var errors = new List<string>();
        if (options.KeyPrefix is null)
        {
            errors.Add("Tote:Redis:KeyPrefix must not be null; use the empty string for no prefix.");
        }
        else if (!RedisSessionKeys.IsUsablePrefix(options.KeyPrefix))
        {
            errors.Add($"Tote:Redis:KeyPrefix '{options.KeyPrefix}' has a brace that is not part of a Redis Cluster hash tag ('{{tag}}'); the driver could not keep its metadata in the session key's hash slot. Remove the brace or complete the tag.");
        }

        if (options.Configuration is { } configuration)
        {
            try
            {
                _ = ConfigurationOptions.Parse(configuration);
            }
            catch (ArgumentException ex)
            {
                errors.Add($"Tote:Redis:Configuration is not a valid StackExchange.Redis configuration string: {ex.Message}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
