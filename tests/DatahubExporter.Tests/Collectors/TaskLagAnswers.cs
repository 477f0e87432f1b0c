using System.Text.Json;

namespace DatahubExporter.Tests.Collectors;

/// <summary>
/// A fixed account for the lag path: one task of every kind the path must tell apart, and the group answers
/// of §8 with partitions it must leave out. Expected sums are in the comments.
/// </summary>
internal static class TaskLagAnswers
{
    public const string Tasks = """
        {"Response":{"Result":{"TotalCount":8,"TaskList":[
          {"TaskId":"task-lag00001","TaskName":"elastic sink","TaskType":"SINK","Status":1,
           "SourceResource":{"Type":"TOPIC","KafkaParam":null,"TopicParam":{"Resource":"topic-elastic-1"}}},
          {"TaskId":"task-lag00002","TaskName":"instance sink","TaskType":"SINK","Status":1,
           "SourceResource":{"Type":"KAFKA","KafkaParam":{"Resource":"ckafka-inst1","Topic":"orders, payments"},"TopicParam":null}},
          {"TaskId":"task-lag00003","TaskName":"new sink","TaskType":"SINK","Status":1,
           "SourceResource":{"Type":"KAFKA","KafkaParam":{"Resource":"ckafka-inst2","Topic":""}}},
          {"TaskId":"task-lag00004","TaskName":"paused sink","TaskType":"SINK","Status":6,
           "SourceResource":{"Type":"TOPIC","TopicParam":{"Resource":"topic-elastic-4"}}},
          {"TaskId":"task-lag00005","TaskName":"source","TaskType":"SOURCE","Status":1,
           "SourceResource":{"Type":"KAFKA","KafkaParam":{"Resource":"ckafka-inst1","Topic":"orders"}}},
          {"TaskId":"task-lag00006","TaskName":"mysql sink","TaskType":"SINK","Status":1,"SourceResource":{"Type":"MYSQL"}},
          {"TaskId":"task-lag00007","TaskName":"no source","TaskType":"SINK","Status":1,"SourceResource":null},
          {"TaskId":"task-lag00008","TaskName":"nameless topic","TaskType":"SINK","Status":1,
           "SourceResource":{"Type":"TOPIC","TopicParam":{"Resource":null}}}
        ]},"RequestId":"req-tasks"}}
        """;

    /// <summary>Lag 5, offsets 150: the ErrorCode 3 partition counts in neither sum, the null Lag only in the offsets.</summary>
    public const string ElasticGroup = """
        {"Response":{"Result":{"TotalCount":1,"TopicList":[
          {"Topic":"topic-elastic-1","Partitions":[
            {"Partition":0,"Offset":100,"LogEndOffset":105,"Lag":5,"ErrorCode":0,"Metadata":""},
            {"Partition":1,"Offset":999,"LogEndOffset":9999,"Lag":9000,"ErrorCode":3,"Metadata":""},
            {"Partition":2,"Offset":50,"LogEndOffset":null,"Lag":null,"ErrorCode":null,"Metadata":null}]}
        ]},"RequestId":"req-g1"}}
        """;

    /// <summary>orders: lag 3, offsets 30; payments: nothing committed (-1) and no lag known, so no series.</summary>
    public const string InstanceGroup = """
        {"Response":{"Result":{"TotalCount":2,"TopicList":[
          {"Topic":"orders","Partitions":[{"Partition":0,"Offset":10,"Lag":1,"ErrorCode":0},{"Partition":1,"Offset":20,"Lag":2,"ErrorCode":0}]},
          {"Topic":"payments","Partitions":[{"Partition":0,"Offset":-1,"Lag":null,"ErrorCode":0}]}
        ]},"RequestId":"req-g2"}}
        """;

    /// <summary>A group with no committed offsets yet (§8).</summary>
    public const string EmptyGroup = """{"Response":{"Result":{"TotalCount":0,"TopicList":[]},"RequestId":"req-g3"}}""";

    public static string Answer(RecordedRequest request)
    {
        if (request.Header("X-TC-Action") == "DescribeDatahubTasks")
        {
            return Tasks;
        }

        using var body = JsonDocument.Parse(request.Body);
        var group = body.RootElement.GetProperty("Group").GetString();
        return group switch
        {
            "datahub-task-lag00001" => ElasticGroup,
            "datahub-task-lag00002" => InstanceGroup,
            _ => EmptyGroup,
        };
    }
}
