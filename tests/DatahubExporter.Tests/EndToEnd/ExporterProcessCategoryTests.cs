namespace DatahubExporter.Tests.EndToEnd;

/// <summary>The check that keeps CI's native pass complete (ExporterProcess.Category.cs), shown to fail: this class is
/// not in the Binary category, so starting the exporter from it is refused before any process starts.</summary>
public class ExporterProcessCategoryTests
{
    [Test]
    public void Starting_the_exporter_outside_the_binary_category_is_refused_naming_the_attribute()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ExporterProcess.Start(["--version"]));

        Assert.That(error!.Message, Does.Contain("is not [Category(\"Binary\")]").And.Contain(nameof(Starting_the_exporter_outside_the_binary_category_is_refused_naming_the_attribute)));
    }
}
