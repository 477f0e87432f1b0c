using Microsoft.AspNetCore.Http;

namespace CkafkaSimulator;

/// <summary>
/// Answers <c>POST /</c> as the Tencent Cloud API gateway would for ckafka 2019-08-19: TC3 check, common
/// headers, parameters, then the action — errors as HTTP 200 envelopes (spec §4.1). The planner (the full
/// simulator's faults; none in demo mode) shapes only requests that passed every check.
/// </summary>
internal sealed class CkafkaApi(SimulatorOptions options, SimulatorState state, CancellationToken stopping)
{
    /// <summary>Tencent caps a v3 POST at 10 MB (spec §1.2).</summary>
    private const int MaxBodyBytes = 10 * 1024 * 1024;

    private readonly Tc3Verifier _verifier = new(options, state);

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var now = options.Time.GetUtcNow();
        var requestId = Guid.NewGuid().ToString();
        var action = NullIfEmpty(request.Headers["X-TC-Action"].ToString());
        var region = NullIfEmpty(request.Headers["X-TC-Region"].ToString());
        var log = new ReceivedRequest(now, action, region, null, false, null, null, null, 200, []);

        var body = await ReadBodyAsync(request, context.RequestAborted);
        if (body is null)
        {
            await ErrorAsync(context, log, "RequestSizeLimitExceeded", "The request body exceeds 10 MB.", requestId);
            return;
        }

        if (action == StsApi.Action)
        {
            await StsApi.HandleAsync(context, options, state, _verifier, body, now, requestId);
            return;
        }

        var auth = _verifier.Verify(request.Headers, body, now);
        log = log with { SecretId = auth.SecretId };
        if (!auth.Ok)
        {
            await ErrorAsync(context, log, auth.ErrorCode!, auth.Message, requestId);
            return;
        }
        log = log with { SignatureValid = true };

        var version = request.Headers["X-TC-Version"].ToString();
        var headerError =
            action is null ? ("MissingParameter", "The request is missing the required header X-TC-Action.")
            : !ApiParameters.IsKnownAction(action) ? ("InvalidAction", $"The action `{action}` is not found.")
            : version.Length == 0 ? ("MissingParameter", "The request is missing the required header X-TC-Version.")
            : version != SimulatorOptions.ApiVersion ? ("NoSuchVersion", "The requested version does not exist for this action.")
            : region is null ? ("MissingParameter", "The request is missing the required header X-TC-Region.")
            : options.Regions is { } regions && !regions.Contains(region) ? ("UnsupportedRegion", "The action does not support this region.")
            : ((string, string)?)null;
        if (headerError is var (code, message))
        {
            await ErrorAsync(context, log, code, message, requestId);
            return;
        }

        var parameters = ApiParameters.Parse(action!, body, out var paramCode, out var paramMessage);
        if (parameters is null)
        {
            await ErrorAsync(context, log, paramCode, paramMessage, requestId);
            return;
        }
        var offset = parameters.Integer("Offset");
        var limit = parameters.Integer("Limit");
        log = log with { Offset = offset, Limit = limit };
        if (action != "DescribeConnectResource" && options.RefuseLimitAbove is { } refuse && limit > refuse)
        {
            await ErrorAsync(context, log, "InvalidParameterValue", $"The value of parameter `Limit` must not exceed {refuse}.", requestId);
            return;
        }

        if (action != "DescribeConnectResource" && (offset < 0 || limit < 1))
        {
            await ErrorAsync(context, log, "InvalidParameterValue",
                offset < 0 ? "The value of parameter `Offset` must not be negative." : "The value of parameter `Limit` must be at least 1.", requestId);
            return;
        }

        var plan = state.Planner?.Plan(action!, region!, now) ?? AnswerPlan.None;
        using var inFlight = state.EnterInFlight();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            if (plan.Replace is { } replace)
            {
                await replace(new ReplacedAnswer(context, log with { Faults = plan.Applied }, plan.Delay, requestId, state, linked.Token));
                return;
            }
            var (answer, errorCode) = Answer(action!, region!, auth.Account, parameters, plan, requestId);
            state.Record(log with { Faults = plan.Applied, ErrorCode = errorCode });
            await DelayAsync(plan.Delay, options.Time, linked.Token);
            await WriteAsync(context, 200, "application/json", plan.Rewrite is { } rewrite ? rewrite(answer) : answer.Body);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // The client gave up or the simulator is stopping: drop the connection, nobody is listening.
            context.Abort();
        }
    }

    private (FinishedAnswer Answer, string? ErrorCode) Answer(string action, string region, SimulatedAccount? account, ApiParameters parameters,
        AnswerPlan plan, string requestId)
    {
        var data = state.Data(account, region);
        if (action == "DescribeConnectResource")
        {
            var id = parameters.String("ResourceId");
            if (string.IsNullOrEmpty(id))
            {
                return (Single(ResponseJson.Error("MissingParameter", "The request is missing a required parameter `ResourceId`.", requestId), requestId),
                    "MissingParameter");
            }
            var found = data.Resources.FirstOrDefault(r => r.ResourceId == id);
            return found is null
                ? (Single(ResponseJson.Error("ResourceNotFound", "The resource is not found.", requestId), requestId), "ResourceNotFound")
                : (Single(ResponseJson.Single(found, plan.PaddingBytes, requestId), requestId), null);
        }

        var offset = (int)Math.Min(parameters.Integer("Offset") ?? 0, int.MaxValue);
        if (action is "DescribeGroupOffsets" or "DescribeDatahubGroupOffsets")
        {
            return GroupAnswer(action, region, parameters, offset, plan, requestId);
        }

        var maxLimit = action == "DescribeDatahubTasks" ? options.MaxTasksLimit : options.MaxResourcesLimit;
        // §2.3/§2.4: default 20; values over the maximum are capped, not rejected.
        var limit = (int)Math.Min(parameters.Integer("Limit") ?? 20, maxLimit);
        if (action == "DescribeDatahubTasks")
        {
            var tasks = data.Tasks.Where(t => MatchesTask(t, parameters)).ToList();
            var page = Page(tasks, offset, limit, plan.Overlap);
            var taskCount = DriftedCount(tasks.Count, plan);
            return (new FinishedAnswer(
                ResponseJson.List("TaskList", taskCount, page, ResponseJson.WriteTask, plan.NullList, plan.NullItemFields, plan.PaddingBytes, requestId),
                "TaskList", "TaskName", taskCount, requestId), null);
        }
        var resources = data.Resources.Where(r => MatchesResource(r, parameters)).ToList();
        var resourcePage = Page(resources, offset, limit, plan.Overlap);
        var resourceCount = DriftedCount(resources.Count, plan);
        return (new FinishedAnswer(
            ResponseJson.List("ConnectResourceList", resourceCount, resourcePage, ResponseJson.WriteResource, plan.NullList, plan.NullItemFields,
                plan.PaddingBytes, requestId),
            "ConnectResourceList", "ResourceName", resourceCount, requestId), null);
    }

    /// <summary>
    /// A consumer group's committed offsets (§8), paged over its topics (<c>Limit</c> at most 50). The group must be
    /// the one of a SINK task of this region that reads that instance (<c>InstanceId</c>) or elastic topic
    /// (<c>Name</c>); any other group is unknown and answers no topics (§8: "no committed offsets yet").
    /// </summary>
    private (FinishedAnswer Answer, string? ErrorCode) GroupAnswer(string action, string region, ApiParameters parameters, int offset, AnswerPlan plan,
        string requestId)
    {
        var kafka = action == "DescribeGroupOffsets";
        var resourceField = kafka ? "InstanceId" : "Name";
        var resource = parameters.String(resourceField);
        var groupName = parameters.String("Group");
        if (string.IsNullOrEmpty(resource) || string.IsNullOrEmpty(groupName))
        {
            var missing = string.IsNullOrEmpty(resource) ? resourceField : "Group";
            return (Single(ResponseJson.Error("MissingParameter", $"The request is missing a required parameter `{missing}`.", requestId), requestId),
                "MissingParameter");
        }

        IReadOnlyList<GroupTopic> topics = [];
        if (state.FindGroup(region, groupName) is var (task, groupTopics) && task.SourceResourceId == resource && (task.SourceType == "KAFKA") == kafka)
        {
            var wanted = parameters.List("Topics");
            var word = parameters.String("SearchWord");
            topics = groupTopics.Where(t => (wanted is null || wanted.Contains(t.Topic)) && Contains(t.Topic, word)).ToList();
        }

        var limit = (int)Math.Min(parameters.Integer("Limit") ?? 50, 50);
        var page = Page(topics.ToList(), offset, limit, plan.Overlap);
        var count = DriftedCount(topics.Count, plan);
        var damaged = plan.DamagedPartitions;
        return (new FinishedAnswer(
            ResponseJson.List("TopicList", count, page, (w, t, mode) => ResponseJson.WriteGroupTopic(w, t, mode, damaged), plan.NullList,
                plan.NullItemFields, plan.PaddingBytes, requestId),
            "TopicList", "Topic", count, requestId), null);
    }

    /// <summary>An answer that is not a list: nothing for a list-damaging fault to touch.</summary>
    private static FinishedAnswer Single(byte[] body, string requestId) => new(body, null, null, 0, requestId);

    private static long DriftedCount(int count, AnswerPlan plan) => Math.Max(0, count + plan.CountDrift);

    private static List<T> Page<T>(List<T> items, int offset, int limit, int overlap)
    {
        var start = offset > 0 ? Math.Max(0, offset - overlap) : 0;
        return start >= items.Count ? [] : items.GetRange(start, Math.Min(limit, items.Count - start));
    }

    private static bool MatchesTask(SimulatedTask t, ApiParameters p) =>
        Contains(t.TaskName, p.String("SearchWord"))
        && Equal(t.TaskType, p.String("TaskType"))
        && Equal(t.SourceType, p.String("SourceType"))
        && Equal(t.TargetType, p.String("TargetType"))
        && (string.IsNullOrEmpty(p.String("Resource")) || t.SourceResourceId == p.String("Resource") || t.TargetResourceId == p.String("Resource"));

    // ResourceRegion filters only sources that carry a region (§2.4); simulated resources carry none, so it is accepted and ignored.
    private static bool MatchesResource(SimulatedResource r, ApiParameters p) =>
        Contains(r.ResourceName, p.String("SearchWord")) && Equal(r.Type, p.String("Type"));

    private static bool Contains(string? value, string? word) =>
        string.IsNullOrEmpty(word) || (value?.Contains(word, StringComparison.OrdinalIgnoreCase) ?? false);

    private static bool Equal(string value, string? filter) => string.IsNullOrEmpty(filter) || value == filter;

    private async Task ErrorAsync(HttpContext context, ReceivedRequest log, string code, string message, string requestId)
    {
        state.Record(log with { ErrorCode = code });
        await WriteAsync(context, 200, "application/json", ResponseJson.Error(code, message, requestId));
    }

    internal static Task DelayAsync(TimeSpan delay, TimeProvider time, CancellationToken token) =>
        delay > TimeSpan.Zero ? Task.Delay(delay, time, token) : Task.CompletedTask;

    internal static async Task WriteAsync(HttpContext context, int status, string contentType, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken token)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, token)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
