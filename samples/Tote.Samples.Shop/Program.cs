using Tote.Samples.Shop;
using Tote.Samples.Shop.Components;
using Tote.Samples.Shop.Devices;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddRazorPages();
builder.Services.AddControllersWithViews();
builder.Services.AddRazorComponents();   // Blazor static server rendering, no interactivity
// The fs driver, unless "Tote:Driver" says otherwise: Tote__Driver=memory; redis with
// Tote__Redis__Configuration; sqlite (.tote/sessions.db, or Tote__Sqlite__ConnectionString);
// postgres with Tote__PostgreSql__ConnectionString.
builder.Services.AddTote().AddRedis().AddSqlite().AddPostgreSql();

var app = builder.Build();
app.UseTote();
app.UseLastVisit();
app.UseAntiforgery();

app.MapRazorPages();
app.MapControllers();
app.MapRazorComponents<App>();
app.MapShop();
app.MapDevices();
app.Run();

/// <summary>The sample's entry point, public for WebApplicationFactory.</summary>
public partial class Program;
