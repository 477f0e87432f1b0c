using System.Net;
using DatahubExporter.Http;
using DatahubExporter.Status;
using DatahubExporter.WebConfig;
using DatahubExporter.Tests.WebConfig;

namespace DatahubExporter.Tests.Http;

/// <summary><c>/status</c> on the real app: what a collection found shows on the page, with the page's headers.</summary>
public sealed class StatusEndpointTests
{
    private const string Lists = """
        {"Response":{"Result":{"TotalCount":2,
          "TaskList":[{"TaskId":"task-bad","TaskName":"orders <b>sink</b>","Status":-1,"ErrorMessage":"<script>document.title='pwned'</script>"},
                      {"TaskId":"task-ok","TaskName":"fine","Status":1}],
          "ConnectResourceList":[{"ResourceId":"resource-1","ResourceName":"<img src=x>","Status":7},
                                 {"ResourceId":"resource-2","ResourceName":"fine","Status":1}]},"RequestId":"req-1"}}
        """;

    private InProcessExporter _host = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await InProcessExporter.StartAsync(new WebConfigWatcher(WebConfigFile.Empty, new CollectingLogger(), TimeProvider.System),
            new FakeHandler((_, _) => FakeHandler.Json(Lists)));
        _client = new HttpClient { BaseAddress = _host.Address, Timeout = TimeSpan.FromSeconds(10) };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Test]
    public async Task The_page_shows_what_the_last_collections_found_escaped()
    {
        foreach (var path in ExporterServices.AllPaths)
        {
            using var scrape = await _client.GetAsync(path.HttpPath);
            Assert.That(scrape.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using var response = await _client.GetAsync(Endpoints.StatusPath);
        var page = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.ToString(), Is.EqualTo("text/html; charset=utf-8"));
        Assert.That(response.Headers.GetValues("Content-Security-Policy"), Is.EqualTo(new[] { StatusPage.ContentSecurityPolicy }));
        Assert.That(page, Does.Contain("<code>task-bad</code>").And.Contain("orders &lt;b&gt;sink&lt;/b&gt;")
            .And.Contain("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;").And.Contain("create failed (-1)"));
        Assert.That(page, Does.Contain("<code>resource-1</code>").And.Contain("&lt;img src=x&gt;").And.Contain("abnormal (7)"));
        Assert.That(page, Does.Not.Contain("task-ok").And.Not.Contain("resource-2"), "running items are not listed");
        Assert.That(page, Does.Not.Contain("<script").And.Not.Contain("<img"));
    }

    [Test]
    public async Task Head_has_the_headers_and_no_body_and_other_methods_are_refused()
    {
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, Endpoints.StatusPath));
        using var post = await _client.PostAsync(Endpoints.StatusPath, new StringContent(""));

        Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(head.Content.Headers.ContentLength, Is.GreaterThan(0));
        Assert.That(await head.Content.ReadAsStringAsync(), Is.Empty);
        Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
    }
}
