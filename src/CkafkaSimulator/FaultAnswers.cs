using System.Text;

namespace CkafkaSimulator;

/// <summary>What the faults that replace or damage an answer send (the plan comes from <see cref="FaultStore"/>).</summary>
internal static class FaultAnswers
{
    /// <summary>Answers with a decisive fault (error, rate limit hit, HTTP status, malformed body, hang) instead of the API.</summary>
    public static async Task ReplaceAsync(ReplacedAnswer answer, Fault fault)
    {
        var (context, log, delay, requestId, state, token) = answer;
        switch (fault.Kind)
        {
            case FaultKind.Error:
            case FaultKind.RateLimit:
                var (code, message) = fault.Kind == FaultKind.Error
                    ? (fault.Code, fault.Message)
                    : ("RequestLimitExceeded", "Your current request times exceeds the frequency limit.");
                state.Record(log with { ErrorCode = code });
                await CkafkaApi.DelayAsync(delay, state.Time, token);
                await CkafkaApi.WriteAsync(context, 200, "application/json", ResponseJson.Error(code, message, requestId));
                break;
            case FaultKind.HttpStatus:
                state.Record(log with { HttpStatus = fault.Status });
                await CkafkaApi.DelayAsync(delay, state.Time, token);
                await CkafkaApi.WriteAsync(context, fault.Status, "text/html",
                    Encoding.UTF8.GetBytes($"<html><head><title>{fault.Status}</title></head><body>upstream error {fault.Status}</body></html>\n"));
                break;
            case FaultKind.MalformedJson:
                state.Record(log);
                await CkafkaApi.DelayAsync(delay, state.Time, token);
                await CkafkaApi.WriteAsync(context, 200, "application/json", "{\"Response\": {\"Result\": NaN, 'RequestId': undefined,"u8.ToArray());
                break;
            case FaultKind.Hang:
                state.Record(log with { HttpStatus = 0 });
                await Task.Delay(Timeout.Infinite, token);
                break;
        }
    }

    /// <summary>The LostList and LoneSurrogate faults, applied to a finished list answer, then TruncatedJson to
    /// any answer.</summary>
    public static byte[] Rewrite(FinishedAnswer finished, Fault? lostList, bool loneSurrogate, bool truncate)
    {
        var answer = finished.ListField is { } listField ? Damage(finished, listField, finished.NameField!, lostList, loneSurrogate) : finished.Body;
        return truncate ? answer[..(answer.Length / 2)] : answer;
    }

    private static byte[] Damage(FinishedAnswer finished, string listField, string nameField, Fault? lostList, bool loneSurrogate)
    {
        var (answer, totalCount, requestId) = (finished.Body, finished.TotalCount, finished.RequestId);
        if (lostList is { } lost)
        {
            return Encoding.UTF8.GetBytes(lost.MissingResult
                ? $"{{\"Response\":{{\"RequestId\":\"{requestId}\"}}}}"
                : $"{{\"Response\":{{\"Result\":{{\"TotalCount\":{totalCount}}},\"RequestId\":\"{requestId}\"}}}}");
        }

        if (!loneSurrogate)
        {
            return answer;
        }

        // Utf8JsonWriter refuses to write a lone surrogate, so the escapes go into the bytes directly.
        var text = Encoding.UTF8.GetString(answer);
        var marker = $"\"{nameField}\":\"";
        var first = text.IndexOf(marker, StringComparison.Ordinal);
        if (first >= 0)
        {
            text = text.Insert(first + marker.Length, "\\ud800");
            var second = text.IndexOf(marker, first + marker.Length, StringComparison.Ordinal);
            if (second >= 0)
            {
                text = text.Insert(second + marker.Length, "x\\udc00");
            }
        }

        return Encoding.UTF8.GetBytes(text);
    }
}
