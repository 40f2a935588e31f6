using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Tote.Testing;

namespace Tote.Tests.Builder;

/// <summary>Where <c>app.UseTote()</c> goes in the pipeline: what docs/getting-started.md promises.</summary>
public sealed class ToteApplicationBuilderExtensionsTests
{
    [Fact]
    public async Task UseTote_WithoutAddTote_ThrowsSayingHowToFix()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ToteTestHost.StartAsync(SessionApi.Map, o => o.AddTote = false));

        Assert.Contains("AddTote()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseTote_CalledAfterTheEndpointsAreMapped_TheyStillGetTheSession()
    {
        await using var host = await ToteTestHost.StartAsync(
            app =>
            {
                // Mapped first, as Program.cs files often do; endpoints still run at the end of the pipeline.
                SessionApi.Map(app);
                app.UseTote();
            },
            o => o.UseTote = false);
        using var client = host.CreateClient();

        await client.PostAsync("/set/name/ada");

        Assert.NotNull(client.SessionId);
        Assert.Equal("ada", await client.GetStringAsync("/get/name"));
    }

    [Fact]
    public async Task UseTote_AfterMiddlewareThatUsesTheSession_ThatMiddlewareFailsSayingToCallUseToteFirst()
    {
        Exception? error = null;
        await using var host = await ToteTestHost.StartAsync(
            app =>
            {
                app.Use(async (context, next) =>
                {
                    error = Record.Exception(() => context.GetSession());
                    await next(context);
                });
                app.UseTote();
                SessionApi.Map(app);
            },
            o => o.UseTote = false);
        using var client = host.CreateClient();

        Assert.Equal("ok", await client.GetStringAsync("/untouched"));

        Assert.Contains("app.UseTote()", Assert.IsType<InvalidOperationException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseTote_BetweenUseRoutingAndUseAuthorization_AuthorizationPoliciesCanReadTheSession()
    {
        await using var host = await StartWithCartPolicyAsync(app =>
        {
            app.UseRouting();
            app.UseTote();
            app.UseAuthentication();
            app.UseAuthorization();
        });
        using var client = host.CreateClient();

        using var before = await client.GetAsync("/checkout");
        await client.PostAsync("/cart/apple");
        using var after = await client.GetAsync("/checkout");

        Assert.Equal(HttpStatusCode.Redirect, before.StatusCode); // the cookie scheme's challenge: no cart yet
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("checkout: apple", await after.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UseTote_WithImplicitAuthorization_PoliciesRunBeforeTheSessionExists()
    {
        // Without explicit UseAuthentication/UseAuthorization, WebApplication adds them at the very
        // start of the pipeline, before UseTote: a policy there cannot reach the session.
        var errors = new List<Exception>();
        await using var host = await StartWithCartPolicyAsync(app => app.UseTote(), errors.Add);
        using var client = host.CreateClient();

        await client.PostAsync("/cart/apple");
        using var response = await client.GetAsync("/checkout");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("app.UseTote()", Assert.IsType<InvalidOperationException>(Assert.Single(errors)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseTote_BeforeUseAntiforgery_AFormWithTheTokenChangesTheSessionAndOneWithoutChangesNothing()
    {
        await using var host = await ToteTestHost.StartAsync(
            app =>
            {
                app.UseRouting();
                app.UseTote();
                app.UseAntiforgery();
                app.MapGet("/form", (HttpContext context, IAntiforgery antiforgery) => antiforgery.GetAndStoreTokens(context).RequestToken);
                app.MapPost("/cart/add", async ([FromForm] string item, Session session) =>
                    string.Join(",", await session.UpdateAsync(SessionApi.Cart, cart => [.. cart ?? [], item])));
                SessionApi.Map(app);
            },
            o =>
            {
                o.UseTote = false;
                o.Services = services => services.AddAntiforgery();
            });
        using var client = host.CreateClient();
        await client.PostAsync("/cart/apple");
        using var form = await client.GetAsync("/form");
        var antiforgeryCookie = form.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal)).Split(';')[0];
        var token = await form.Content.ReadAsStringAsync();

        using var withToken = await PostFormAsync(client, antiforgeryCookie, ("item", "pear"), ("__RequestVerificationToken", token));
        using var withoutToken = await PostFormAsync(client, antiforgeryCookie, ("item", "fig"));

        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        Assert.Equal("apple,pear", await client.GetStringAsync("/cart"));
    }

    [Fact]
    public async Task UseExceptionHandler_BeforeUseTote_AFailedRequestSavesNothing()
    {
        await using var host = await ToteTestHost.StartAsync(
            app =>
            {
                app.UseExceptionHandler(error => error.Run(context => context.Response.WriteAsync("error page")));
                app.UseTote();
                SessionApi.Map(app);
                app.MapPost("/fail", (Session session) =>
                {
                    session.Set("name", "changed");
                    throw new InvalidOperationException("The endpoint failed.");
                });
            },
            o => o.UseTote = false);
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");

        using var failed = await client.PostAsync("/fail");

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("error page", await failed.Content.ReadAsStringAsync());
        Assert.Equal("ada", await client.GetStringAsync("/get/name"));
    }

    /// <summary>
    /// A host whose <c>/checkout</c> needs a policy that reads the session (a non-empty cart), with
    /// cookie authentication to challenge; <paramref name="pipeline"/> orders the middleware. A
    /// policy that cannot reach the session denies, and hands the error to <paramref name="onError"/>.
    /// </summary>
    private static Task<ToteTestHost> StartWithCartPolicyAsync(Action<WebApplication> pipeline, Action<Exception>? onError = null) => ToteTestHost.StartAsync(
        app =>
        {
            pipeline(app);
            SessionApi.Map(app);
            app.MapGet("/checkout", async (Session session) => "checkout: " + string.Join(",", await session.GetAsync(SessionApi.Cart) ?? []))
                .RequireAuthorization("has-cart");
        },
        o =>
        {
            o.UseTote = false;
            o.Services = services =>
            {
                services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
                services.AddAuthorization(a => a.AddPolicy("has-cart", policy => policy.RequireAssertion(async context =>
                {
                    try
                    {
                        return context.Resource is HttpContext http && await http.GetSession().GetAsync(SessionApi.Cart) is { Count: > 0 };
                    }
                    catch (InvalidOperationException ex) when (onError is not null)
                    {
                        onError(ex);
                        return false;
                    }
                })));
            };
        });

    private static Task<HttpResponseMessage> PostFormAsync(SessionClient client, string antiforgeryCookie, params (string Name, string Value)[] fields)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/cart/add")
        {
            Content = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))),
        };
        request.Headers.Add("Cookie", $"tote-session={client.SessionId}; {antiforgeryCookie}");
        return client.SendAsync(request);
    }
}
