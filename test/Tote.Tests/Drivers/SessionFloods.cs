using Tote.Testing;

namespace Tote.Tests.Drivers;

/// <summary>What the bounded drivers' flood tests (issue 15) send: returning visitors, then a flood.</summary>
internal static class SessionFloods
{
    /// <summary>Visitors who created a session and came back with its cookie once.</summary>
    public static async Task<List<(SessionClient Client, string Name)>> ReturningVisitorsAsync(ToteTestHost host, int count)
    {
        var visitors = new List<(SessionClient, string)>();
        for (var i = 0; i < count; i++)
        {
            var client = host.CreateClient();
            var name = $"visitor{i}";
            (await client.PostAsync($"/set/name/{name}")).Dispose();
            Assert.Equal(name, await client.GetStringAsync("/get/name"));
            visitors.Add((client, name));
        }

        return visitors;
    }

    /// <summary>Cookie-less posts, as the review's flood sent them: each creates a session never used again.</summary>
    public static async Task FloodAsync(ToteTestHost host, int count)
    {
        using var bot = host.CreateClient();
        for (var i = 0; i < count; i++)
        {
            using var response = await bot.Http.PostAsync($"/set/k/{i}", content: null, TestContext.Current.CancellationToken);
            response.EnsureSuccessStatusCode();
        }
    }
}
