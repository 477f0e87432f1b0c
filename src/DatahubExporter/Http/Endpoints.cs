using DatahubExporter.Collectors;
using DatahubExporter.Exposition;
using DatahubExporter.Status;
using Microsoft.Net.Http.Headers;

namespace DatahubExporter.Http;

/// <summary>The exporter's routes (exporter.md "HTTP endpoints"). GET and HEAD only.</summary>
internal static class Endpoints
{
    public const string MetricsPath = "/metrics";
    public const string HealthyPath = "/-/healthy";
    public const string ReadyPath = "/-/ready";
    public const string StatusPath = "/status";

    private static readonly string[] ReadMethods = ["GET", "HEAD"];

    /// <summary>Anything but GET and HEAD is answered 405 with <c>Allow</c>, before routing, on every path.</summary>
    public static IApplicationBuilder UseReadOnlyMethods(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, HEAD";
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("method not allowed: use GET or HEAD\n").ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    });

    public static IEndpointRouteBuilder MapExporterEndpoints(this IEndpointRouteBuilder routes, ExporterServices services)
    {
        foreach (var path in services.Engine.Paths)
        {
            routes.MapMethods(path.HttpPath, ReadMethods, context => ScrapeAsync(context, path, services));
        }

        routes.MapMethods(MetricsPath, ReadMethods, context => WriteExpositionAsync(context, new ScrapeAnswer(services.ExporterFamilies(), true)));
        routes.MapMethods(StatusPath, ReadMethods, context => WriteStatusPageAsync(context, services));
        routes.MapMethods(HealthyPath, ReadMethods, context => WriteTextAsync(context, "Healthy\n"));
        routes.MapMethods(ReadyPath, ReadMethods, context => WriteTextAsync(context, "Ready\n"));
        routes.MapMethods("/", ReadMethods, context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(LandingPage.Html);
        });
        return routes;
    }

    /// <summary>The query parameters that select units of collection (exporter.md "Accounts and targets").</summary>
    public const string AccountParameter = "account";

    public const string RegionParameter = "region";

    private static async Task ScrapeAsync(HttpContext context, ScrapePath path, ExporterServices services)
    {
        var query = context.Request.Query;
        string? account = null, region = null;
        string? problem = null;
        foreach (var name in (string[])[AccountParameter, RegionParameter])
        {
            var values = query[name];
            if (values.Count > 1)
            {
                problem ??= $"the {name} parameter is given {values.Count} times: give it at most once";
            }
            else if (values.Count == 1 && string.IsNullOrEmpty(values[0]))
            {
                problem ??= $"the {name} parameter is empty";
            }
        }

        IReadOnlyList<Unit>? units = null;
        if (problem is null)
        {
            account = query[AccountParameter].FirstOrDefault();
            region = query[RegionParameter].FirstOrDefault();
            units = services.Engine.Select(account, region, out problem);
        }

        if (units is null)
        {
            // Before any API call: a target that names nothing configured is the scraper's mistake.
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await WriteTextAsync(context, problem + "\n").ConfigureAwait(false);
            return;
        }

        var budget = ScrapeDeadline.Compute(context.Request.Headers[ScrapeDeadline.HeaderName], services.Options.ScrapeTimeoutOffset,
            services.Options.DefaultScrapeTimeout);
        ScrapeAnswer answer;
        try
        {
            answer = await services.Engine.ScrapeAsync(path, units, budget, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The scraper went away; nobody is left to answer. The shared collection goes on for the others.
            return;
        }

        await WriteExpositionAsync(context, answer).ConfigureAwait(false);
    }

    /// <summary>Slices of the shared body handed to the response one at a time, so Kestrel never copies a
    /// whole multi-megabyte body into its pinned blocks for each of many connections at once.</summary>
    private const int WriteSlice = 64 * 1024;

    /// <summary>Renders fully before touching the response, so a failure mid-render can never send half a body.</summary>
    private static async Task WriteExpositionAsync(HttpContext context, ScrapeAnswer answer)
    {
        var negotiated = ExpositionWriter.Negotiate(context.Request.Headers.Accept);
        var gzip = AcceptsGzip(context.Request.Headers.AcceptEncoding);
        var body = answer.Body.Payload(negotiated.Format, gzip);
        var response = context.Response;
        response.ContentType = negotiated.ContentType;
        response.Headers.Vary = "Accept, Accept-Encoding";
        if (gzip)
        {
            response.Headers.ContentEncoding = "gzip";
        }

        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            for (var offset = 0; offset < body.Length; offset += WriteSlice)
            {
                await response.Body.WriteAsync(body.Slice(offset, Math.Min(WriteSlice, body.Length - offset)), context.RequestAborted).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The page reads only the status board (never the API), so it answers at once whatever the API does.</summary>
    private static Task WriteStatusPageAsync(HttpContext context, ExporterServices services)
    {
        var body = System.Text.Encoding.UTF8.GetBytes(StatusPage.Render(StatusPageData.From(services)));
        var response = context.Response;
        response.ContentType = "text/html; charset=utf-8";
        // Appended, not set: a policy from --web.config.file stays in force too (a browser enforces both).
        response.Headers.Append("Content-Security-Policy", StatusPage.ContentSecurityPolicy);
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private static Task WriteTextAsync(HttpContext context, string text)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(text);
    }

    /// <summary>True when <c>Accept-Encoding</c> names gzip (or <c>*</c>) with a non-zero quality.</summary>
    public static bool AcceptsGzip(Microsoft.Extensions.Primitives.StringValues acceptEncoding)
    {
        if (!StringWithQualityHeaderValue.TryParseList(acceptEncoding, out var values))
        {
            return false;
        }

        // An explicit gzip entry decides (even "gzip;q=0, *" means no); otherwise "*" stands for it (RFC 9110 §12.5.3).
        var gzip = values.FirstOrDefault(v => v.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase))
                   ?? values.FirstOrDefault(v => v.Value == "*");
        return gzip is not null && (gzip.Quality ?? 1) > 0;
    }
}
