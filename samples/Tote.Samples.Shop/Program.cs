using Tote.Samples.Shop;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddRazorPages();
builder.Services.AddTote().AddRedis();   // the fs driver, unless "Tote:Driver" says otherwise (Tote__Driver=memory, or redis with Tote__Redis__Configuration)

var app = builder.Build();
app.UseTote();
app.UseLastVisit();
app.UseAntiforgery();

app.MapRazorPages();
app.MapShop();
app.Run();

/// <summary>The sample's entry point, public for WebApplicationFactory.</summary>
public partial class Program;
