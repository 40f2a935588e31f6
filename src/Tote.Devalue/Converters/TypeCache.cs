namespace Tote.Devalue;

internal sealed class TypeCache(DevalueOptions options)
{
    public DevalueOptions Options { get; } = options;
}
