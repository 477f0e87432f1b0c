using DatahubExporter.Http;

namespace DatahubExporter.Tests.Http;

public class LandingPageTests
{
    [Test]
    public void Every_scrape_path_the_engine_serves_is_linked_once()
    {
        foreach (var path in ExporterServices.AllPaths)
        {
            Assert.That(LandingPage.Html, Does.Contain($"<li><a href=\"{path.HttpPath}\">{path.HttpPath}</a> — {path.Summary}</li>"));
        }

        Assert.That(LandingPage.Html, Does.Contain($"<li><a href=\"{Endpoints.StatusPath}\">{Endpoints.StatusPath}</a>"));
        Assert.That(LandingPage.Html.Split("<li>").Length - 1, Is.EqualTo(ExporterServices.AllPaths.Count + 3),
            "scrape paths, /status, /metrics, one line for health and readiness");
    }
}
