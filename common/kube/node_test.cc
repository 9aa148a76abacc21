#include "common/kube/node.h"

#include <gtest/gtest.h>

#include <string>

namespace fhc::kube {
namespace {

std::string NodeBody(std::string_view ready_status, std::string_view reason, bool cordoned) {
  return std::string(R"({"kind":"Node","apiVersion":"v1",
    "metadata":{"name":"node-1","labels":{"kubernetes.io/hostname":"node-1"}},
    "spec":{"podCIDR":"10.244.1.0/24")") +
         (cordoned
              ? R"(,"unschedulable":true,"taints":[{"key":"node.kubernetes.io/unschedulable","effect":"NoSchedule"}])"
              : "") +
         R"(},"status":{"conditions":[
      {"type":"MemoryPressure","status":"False","reason":"KubeletHasSufficientMemory"},
      {"type":"DiskPressure","status":"False","reason":"KubeletHasNoDiskPressure"},
      {"type":"Ready","status":")" +
         std::string(ready_status) + R"(","reason":")" + std::string(reason) +
         R"(","message":"kubelet is posting ready status",
       "lastHeartbeatTime":"2024-05-01T10:00:00Z","lastTransitionTime":"2024-04-01T00:00:00Z"}]}})";
}

TEST(ParseNode, ReadyTrueFromKubelet) {
  auto node = ParseNode(NodeBody("True", "KubeletReady", false));
  ASSERT_TRUE(node.ok()) << node.error();
  EXPECT_EQ(node->name, "node-1");
  EXPECT_EQ(node->ready, "True");
  EXPECT_EQ(node->ready_reason, "KubeletReady");
  EXPECT_EQ(node->ready_message, "kubelet is posting ready status");
  EXPECT_FALSE(node->unschedulable);
}

TEST(ParseNode, UnknownWhenTheNodeControllerLostTheKubelet) {
  auto node = ParseNode(NodeBody("Unknown", "NodeStatusUnknown", false));
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(node->ready, "Unknown");
  EXPECT_EQ(node->ready_reason, "NodeStatusUnknown");
}

TEST(ParseNode, CordonedNodeIsUnschedulable) {
  auto node = ParseNode(NodeBody("False", "KubeletNotReady", true));
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(node->ready, "False");
  EXPECT_TRUE(node->unschedulable);
}

TEST(ParseNode, NoReadyConditionLeavesReadyEmpty) {
  auto node = ParseNode(R"({"kind":"Node","metadata":{"name":"n"},"status":{}})");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(node->ready, "");
}

TEST(ParseNode, StatusBodiesAndJunkAreErrors) {
  EXPECT_FALSE(ParseNode(R"({"kind":"Status","code":404})").ok());
  EXPECT_FALSE(ParseNode(R"({"kind":"Node","metadata":{}})").ok());
  EXPECT_FALSE(ParseNode("not json").ok());
}

}  // namespace
}  // namespace fhc::kube
