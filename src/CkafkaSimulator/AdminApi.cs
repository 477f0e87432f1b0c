using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace CkafkaSimulator;

/// <summary>
/// The unsigned test-only admin API under <c>/_sim/</c>, so another process can drive the simulator the way
/// <see cref="SimulatorState"/> does in-process. Answers 204 on success, 400 with a plain-text reason on
/// bad input, 404/405 otherwise. Never expose it beyond loopback.
/// </summary>
internal sealed class AdminApi(SimulatorState state)
{
    public const string Prefix = "/_sim/";

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            // The server hands this API every path but "/": the rest is not ours.
            context.Response.StatusCode = 404;
            return;
        }
        var segments = path[Prefix.Length..].Split('/');
        var method = request.Method;
        switch (segments)
        {
            case ["state"]:
                if (method == HttpMethods.Get)
                {
                    await WriteAsync(context, 200, "application/json", StateJson());
                    return;
                }
                break;
            case ["faults"]:
                if (method == HttpMethods.Post)
                {
                    await AddFaultAsync(context);
                    return;
                }
                if (method == HttpMethods.Delete)
                {
                    state.ClearFaults();
                    context.Response.StatusCode = 204;
                    return;
                }
                break;
            case ["counters"]:
                if (method == HttpMethods.Delete)
                {
                    state.ResetCounters();
                    context.Response.StatusCode = 204;
                    return;
                }
                break;
            case ["tasks", var taskId, "lag" or "consume"]:
                if (method == HttpMethods.Post)
                {
                    await MoveGroupAsync(context, segments[2] == "lag", Uri.UnescapeDataString(taskId));
                    return;
                }
                break;
            case ["tasks" or "resources", var id, "status"]:
                if (method == HttpMethods.Post)
                {
                    await SetStatusAsync(context, segments[0] == "tasks", Uri.UnescapeDataString(id));
                    return;
                }
                break;
            default:
                context.Response.StatusCode = 404;
                return;
        }
        context.Response.StatusCode = 405;
    }

    private async Task SetStatusAsync(HttpContext context, bool task, string id)
    {
        var query = context.Request.Query;
        if (!long.TryParse(query["value"].ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            await TextAsync(context, 400, "query parameter 'value' must be an integer status code\n");
            return;
        }
        var region = query["region"].ToString() is { Length: > 0 } r ? r : null;
        // `message` (optional, may be empty) sets the item's ErrorMessage too; without it the message stays.
        var message = query.TryGetValue("message", out var m) ? m.ToString() : null;
        var found = task ? state.SetTaskStatus(id, value, region, message) : state.SetResourceStatus(id, value, region, message);
        if (!found)
        {
            await TextAsync(context, 404, $"no {(task ? "task" : "resource")} with that id\n");
            return;
        }
        context.Response.StatusCode = 204;
    }

    /// <summary><c>POST /_sim/tasks/ID/lag?value=N</c> sets every topic's lag of the task's group to N;
    /// <c>POST /_sim/tasks/ID/consume?value=N</c> commits N more messages on every topic. Optional <c>region</c>.</summary>
    private async Task MoveGroupAsync(HttpContext context, bool setLag, string id)
    {
        var query = context.Request.Query;
        if (!long.TryParse(query["value"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            await TextAsync(context, 400, "query parameter 'value' must be a non-negative integer (messages)\n");
            return;
        }
        var region = query["region"].ToString() is { Length: > 0 } r ? r : null;
        if (!(setLag ? state.SetTaskLag(id, value, region) : state.ConsumeMessages(id, value, region)))
        {
            await TextAsync(context, 404, "no task with a consumer group with that id\n");
            return;
        }
        context.Response.StatusCode = 204;
    }

    private async Task AddFaultAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        try
        {
            var (fault, action, region, count) = ParseFault(body.ToArray());
            state.SetFault(fault, action, region, count);
            context.Response.StatusCode = 204;
        }
        catch (JsonException e)
        {
            await TextAsync(context, 400, "fault body is not valid JSON: " + e.Message + "\n");
        }
        catch (ArgumentException e)
        {
            await TextAsync(context, 400, e.Message + "\n");
        }
        catch (InvalidOperationException e)
        {
            await TextAsync(context, 400, e.Message + "\n");
        }
    }

    /// <summary>
    /// Parses {"Kind":"Error","Code":"InternalError","Message":"…","Action":…,"Region":…,"Count":…} and the
    /// per-kind fields DelayMs, PerSecond, Status, Delta, NullList, Overlap, Bytes, MissingResult.
    /// </summary>
    internal static (Fault Fault, string? Action, string? Region, int? Count) ParseFault(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("fault body must be a JSON object");
        }
        var kindText = Str(root, "Kind") ?? throw new ArgumentException("fault body needs \"Kind\"");
        if (!Enum.TryParse<FaultKind>(kindText, ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || int.TryParse(kindText, out _))
        {
            throw new ArgumentException("unknown fault Kind; expected one of " + string.Join(", ", Enum.GetNames<FaultKind>()));
        }
        var fault = kind switch
        {
            FaultKind.Latency => Fault.Latency(TimeSpan.FromMilliseconds(Int(root, "DelayMs") ?? throw Needs("DelayMs"))),
            FaultKind.Error => Fault.Error(Str(root, "Code") ?? throw Needs("Code"), Str(root, "Message") ?? "injected by the simulator"),
            FaultKind.RateLimit => Fault.RateLimit(Int(root, "PerSecond") ?? throw Needs("PerSecond")),
            FaultKind.MalformedJson => Fault.MalformedJson(),
            FaultKind.TruncatedJson => Fault.TruncatedJson(),
            FaultKind.HttpStatus => Fault.HttpStatus(Int(root, "Status") ?? throw Needs("Status")),
            FaultKind.Hang => Fault.Hang(),
            FaultKind.TotalCountDrift => Fault.TotalCountDrift(Int(root, "Delta") ?? throw Needs("Delta")),
            FaultKind.NullFields => Fault.NullFields(root.TryGetProperty("NullList", out var n) && n.ValueKind == JsonValueKind.True),
            FaultKind.DuplicateItems => Fault.DuplicateItems(Int(root, "Overlap") ?? 1),
            FaultKind.OversizedBody => Fault.OversizedBody(Int(root, "Bytes") ?? throw Needs("Bytes")),
            FaultKind.LoneSurrogate => Fault.LoneSurrogate(),
            FaultKind.LostList => Fault.LostList(root.TryGetProperty("MissingResult", out var m) && m.ValueKind == JsonValueKind.True),
            FaultKind.PartitionErrors => Fault.PartitionErrors(),
            _ => throw new ArgumentException("unknown fault Kind"),
        };
        return (fault, Str(root, "Action"), Str(root, "Region"), Int(root, "Count"));
    }

    private static ArgumentException Needs(string field) => new($"this fault Kind needs \"{field}\"");

    private static string? Str(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : throw new ArgumentException($"\"{name}\" must be a string");

    private static int? Int(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i
        : throw new ArgumentException($"\"{name}\" must be a 32-bit integer");

    private byte[] StateJson()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("RequestCount", state.RequestCount());
            w.WriteNumber("ErrorCount", state.ErrorCount());
            w.WriteStartArray("Requests");
            foreach (var ((action, region), count) in state.RequestCounts.OrderBy(kv => kv.Key))
            {
                w.WriteStartObject();
                w.WriteString("Action", action);
                w.WriteString("Region", region);
                w.WriteNumber("Count", count);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("Errors");
            foreach (var ((code, action, region), count) in state.ErrorCounts.OrderBy(kv => kv.Key))
            {
                w.WriteStartObject();
                w.WriteString("Code", code);
                w.WriteString("Action", action);
                w.WriteString("Region", region);
                w.WriteNumber("Count", count);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("Faults");
            foreach (var active in state.Faults)
            {
                w.WriteStartObject();
                w.WriteString("Kind", active.Fault.Kind.ToString());
                WriteNullable(w, "Action", active.Action);
                WriteNullable(w, "Region", active.Region);
                if (active.Remaining is { } remaining)
                {
                    w.WriteNumber("Remaining", remaining);
                }
                else
                {
                    w.WriteNull("Remaining");
                }
                w.WriteNumber("Applied", active.Applied);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static Task TextAsync(HttpContext context, int status, string text) =>
        WriteAsync(context, status, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text));

    private static async Task WriteAsync(HttpContext context, int status, string contentType, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
