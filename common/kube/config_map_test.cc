#include "common/kube/config_map.h"

#include <gtest/gtest.h>

#include "common/kube/object_json.h"

namespace fhc::kube {
namespace {

TEST(ParseConfigMap, ReadsVersionLabelsAndStringData) {
  auto cm = ParseConfigMap(R"({"kind":"ConfigMap","apiVersion":"v1",
    "metadata":{"name":"frigate-health-state","namespace":"nvr","resourceVersion":"123456",
                "uid":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","creationTimestamp":"2024-05-01T00:00:00Z",
                "labels":{"app.kubernetes.io/managed-by":"frigate-remediator"}},
    "data":{"state.json":"{\"version\":1}","consecutive_failures":"2","bad":5},
    "binaryData":{"blob":"AAEC"}})");
  ASSERT_TRUE(cm.ok()) << cm.error();
  EXPECT_EQ(cm->name, "frigate-health-state");
  EXPECT_EQ(cm->namespace_, "nvr");
  EXPECT_EQ(cm->resource_version, "123456");
  EXPECT_EQ(cm->labels.at("app.kubernetes.io/managed-by"), "frigate-remediator");
  EXPECT_EQ(cm->data.size(), 2u);  // the non-string "bad" is skipped
  EXPECT_EQ(cm->data.at("state.json"), R"({"version":1})");
}

TEST(ParseConfigMap, NoDataIsAnEmptyMap) {
  auto cm = ParseConfigMap(R"({"kind":"ConfigMap","metadata":{"name":"x","resourceVersion":"1"}})");
  ASSERT_TRUE(cm.ok());
  EXPECT_TRUE(cm->data.empty());
}

TEST(ParseConfigMap, OtherKindsAreErrors) {
  EXPECT_FALSE(ParseConfigMap(R"({"kind":"Secret","metadata":{"name":"x"}})").ok());
  EXPECT_FALSE(ParseConfigMap("{").ok());
}

TEST(SerializeConfigMap, CarriesResourceVersionAndEscapesData) {
  ConfigMap cm;
  cm.name = "state";
  cm.namespace_ = "nvr";
  cm.resource_version = "77";
  cm.data["state.json"] = "{\"a\":\"line1\\nline2\"}\n";
  std::string body = SerializeConfigMap(cm);
  auto back = ParseConfigMap(body);
  ASSERT_TRUE(back.ok()) << body;
  EXPECT_EQ(back->resource_version, "77");
  EXPECT_EQ(back->data, cm.data);
  auto doc = detail::ParseObject(body);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(detail::StringAt(*doc, {"apiVersion"}), "v1");
  EXPECT_EQ(detail::StringAt(*doc, {"kind"}), "ConfigMap");
}

TEST(SerializeConfigMap, OmitsAnEmptyResourceVersion) {
  ConfigMap cm;
  cm.name = "state";
  cm.namespace_ = "nvr";
  EXPECT_EQ(SerializeConfigMap(cm).find("resourceVersion"), std::string::npos);
}

}  // namespace
}  // namespace fhc::kube
