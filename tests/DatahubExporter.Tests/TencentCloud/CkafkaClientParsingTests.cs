using System.Text.Json;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Tests.TencentCloud;

/// <summary>Every field may be missing, null or of the wrong JSON type (tencent-cloud-api.md §2.3, §2.4); none of it may throw.</summary>
public class CkafkaClientParsingTests
{
    private static DatahubTask ReadTask(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return CkafkaListing.ReadTask(doc.RootElement);
    }

    private static ConnectResource ReadResource(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return CkafkaListing.ReadResource(doc.RootElement);
    }

    [Test]
    public void Full_task_maps_every_field()
    {
        var task = ReadTask("""
            {"TaskId":"task-abc","TaskName":"orders to cos","TaskType":"SINK","Status":6,
             "SourceResource":{"Type":"KAFKA","KafkaParam":{"Resource":"ckafka-1"}},
             "TargetResource":{"Type":"COS","CosParam":null},"DatahubId":"datahub-9","CreateTime":"2024-12-04 16:21:08",
             "TaskProgress":100.0,"StepList":["a"]}
            """);

        Assert.That(task, Is.EqualTo(new DatahubTask("task-abc", "orders to cos", 6, "SINK", "KAFKA", "COS", "datahub-9")));
    }

    [Test]
    public void Empty_task_object_gives_empty_strings_and_no_status()
    {
        Assert.That(ReadTask("{}"), Is.EqualTo(new DatahubTask("", "", null, "", "", "", "")));
    }

    [TestCase("null")]
    [TestCase("42")]
    [TestCase("\"task\"")]
    [TestCase("[1,2]")]
    [TestCase("true")]
    public void Task_that_is_not_an_object_gives_defaults(string json)
    {
        Assert.That(ReadTask(json), Is.EqualTo(new DatahubTask("", "", null, "", "", "", "")));
    }

    [TestCase("1", 1L)]
    [TestCase("-1", -1L)]
    [TestCase("0", 0L)]
    [TestCase("9", 9L)]
    [TestCase("\"1\"", 1L)]
    [TestCase("\" 7 \"", 7L)]
    [TestCase("\"-1\"", -1L)]
    [TestCase("1.0", 1L)]
    [TestCase("2e0", 2L)]
    [TestCase("\"3.0\"", 3L)]
    [TestCase("1.5", null)]
    [TestCase("\"1.5\"", null)]
    [TestCase("\"running\"", null)]
    [TestCase("\"\"", null)]
    [TestCase("null", null)]
    [TestCase("true", null)]
    [TestCase("{}", null)]
    [TestCase("[1]", null)]
    [TestCase("1e30", null)]
    [TestCase("-1e30", null)]
    [TestCase("\"NaN\"", null)]
    [TestCase("\"Infinity\"", null)]
    [TestCase("9223372036854775807", long.MaxValue)]
    public void Status_accepts_integers_integral_floats_and_numeric_strings(string status, long? expected)
    {
        Assert.That(ReadTask($"{{\"TaskId\":\"t\",\"Status\":{status}}}").Status, Is.EqualTo(expected));
    }

    [Test]
    public void Missing_status_stays_null()
    {
        Assert.That(ReadTask("{\"TaskId\":\"t\"}").Status, Is.Null);
    }

    [TestCase("\"name\"", "name")]
    [TestCase("\"\"", "")]
    [TestCase("null", "")]
    [TestCase("{\"a\":1}", "")]
    [TestCase("[\"a\"]", "")]
    [TestCase("true", "")]
    [TestCase("123", "123")]
    [TestCase("1.5", "1.5")]
    [TestCase("\"中文名称\"", "中文名称")]
    [TestCase("\"line\\nbreak \\\"quoted\\\"\"", "line\nbreak \"quoted\"")]
    public void String_fields_tolerate_any_json_type(string value, string expected)
    {
        var task = ReadTask($"{{\"TaskId\":{value},\"TaskName\":{value},\"TaskType\":{value},\"DatahubId\":{value}}}");

        Assert.That(new[] { task.TaskId, task.TaskName, task.TaskType, task.DatahubId }, Is.All.EqualTo(expected));
    }

    [TestCase("null")]
    [TestCase("\"KAFKA\"")]
    [TestCase("[]")]
    [TestCase("{}")]
    [TestCase("{\"Type\":null}")]
    [TestCase("{\"Type\":{}}")]
    public void Odd_resources_give_an_empty_type(string resource)
    {
        var task = ReadTask($"{{\"TaskId\":\"t\",\"SourceResource\":{resource},\"TargetResource\":{resource}}}");

        Assert.That((task.SourceType, task.TargetType), Is.EqualTo(("", "")));
    }

    [Test]
    public void Full_resource_maps_every_field()
    {
        var resource = ReadResource("""
            {"ResourceId":"resource-y9v8e3bl","ResourceName":"mysql prod","Description":"d","Type":"MYSQL","Status":7,
             "CreateTime":"2024-12-04 16:21:08","DatahubTaskCount":3,"MySQLConnectParam":{"Port":3306},"Tags":[]}
            """);

        Assert.That(resource, Is.EqualTo(new ConnectResource("resource-y9v8e3bl", "mysql prod", 7, "MYSQL")));
    }

    [Test]
    public void Resource_with_null_and_wrong_typed_fields_does_not_throw()
    {
        var resource = ReadResource("{\"ResourceId\":\"r\",\"ResourceName\":null,\"Type\":[\"MYSQL\"],\"Status\":\"5\"}");

        Assert.That(resource, Is.EqualTo(new ConnectResource("r", "", 5, "")));
    }
}
