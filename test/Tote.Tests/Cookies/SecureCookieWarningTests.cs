using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Http;
using Tote.Testing;

namespace Tote.Tests.Cookies;

/// <summary>
/// A Secure cookie on a plain-http request is dropped by browsers and test clients, and the session
/// then looks empty with no error: Tote says so in the log, once per app (issue 14).
/// </summary>
public sealed class SecureCookieWarningTests
{
    private const int SecureCookieOverHttp = 40;

    [Fact]
    public async Task SecureCookieOnPlainHttp_LogsOneWarningForTheAppSayingHowToFixIt()
    {
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map);
        using var first = host.CreateClient();
        using var second = host.CreateClient();

        (await first.PostAsync("/set/name/ada")).Dispose();
        (await second.PostAsync("/set/name/grace")).Dispose();
        (await first.PostAsync("/regenerate")).Dispose();

        var warning = Assert.Single(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == SecureCookieOverHttp);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("Tote:Cookie:SecurePolicy", warning.Message, StringComparison.Ordinal);
        Assert.Contains("https", warning.Message, StringComparison.Ordinal);
        Assert.Contains("Development", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(first.SessionId!, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecureCookieOnHttps_LogsNoWarning()
    {
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map);
        using var client = host.CreateClient();
        client.Http.BaseAddress = new Uri("https://localhost/");

        using var response = await client.PostAsync("/set/name/ada");

        Assert.True(Assert.Single(SetCookie.All(response)).Attributes.Secure);
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Id.Id == SecureCookieOverHttp);
    }

    [Fact]
    public async Task SameAsRequestPolicyOnPlainHttp_SendsANonSecureCookieAndLogsNoWarning()
    {
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map, o => o.Configuration["Tote:Cookie:SecurePolicy"] = nameof(CookieSecurePolicy.SameAsRequest));
        using var client = host.CreateClient();

        using var response = await client.PostAsync("/set/name/ada");

        Assert.False(Assert.Single(SetCookie.All(response)).Attributes.Secure);
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Id.Id == SecureCookieOverHttp);
    }

    [Fact]
    public async Task ClearingTheCookieOnPlainHttp_LogsNoWarning()
    {
        // Only an issued cookie matters: an expired one that is dropped changes nothing.
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map);
        using var client = host.CreateClient();
        client.SessionId = TestIds.New();

        using var response = await client.PostAsync("/destroy");

        Assert.True(Assert.Single(SetCookie.All(response)).Expired);
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Id.Id == SecureCookieOverHttp);
    }
}
