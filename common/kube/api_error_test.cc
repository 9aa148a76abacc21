#include "common/kube/api_error.h"

#include <gtest/gtest.h>

namespace fhc::kube {
namespace {

http::Response Status(int code, std::string_view reason, std::string_view message) {
  http::Response r;
  r.status = code;
  r.body = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":")" +
           std::string(message) + R"(","reason":")" + std::string(reason) +
           R"(","details":{"name":"state","kind":"configmaps"},"code":)" + std::to_string(code) +
           "}";
  return r;
}

TEST(ClassifyResponse, ConflictAndAlreadyExistsAreToldApart) {
  auto conflict = ClassifyResponse(Status(
      409, "Conflict",
      "Operation cannot be fulfilled on configmaps \\\"state\\\": the object has been modified; "
      "please apply your changes to the latest version and try again"));
  EXPECT_EQ(conflict.error, ApiError::kConflict);
  EXPECT_NE(conflict.message.find("the object has been modified"), std::string::npos);
  auto exists =
      ClassifyResponse(Status(409, "AlreadyExists", "configmaps \\\"state\\\" already exists"));
  EXPECT_EQ(exists.error, ApiError::kAlreadyExists);
  EXPECT_EQ(exists.message, "configmaps \"state\" already exists");
}

TEST(ClassifyResponse, CodesMapToKinds) {
  const std::pair<int, ApiError> table[] = {
      {200, ApiError::kNone},         {201, ApiError::kNone},      {400, ApiError::kInvalid},
      {401, ApiError::kUnauthorized}, {403, ApiError::kForbidden}, {404, ApiError::kNotFound},
      {422, ApiError::kInvalid},      {429, ApiError::kThrottled}, {500, ApiError::kServer},
      {503, ApiError::kServer},       {418, ApiError::kOther},
  };
  for (const auto& [code, kind] : table) {
    http::Response r;
    r.status = code;
    EXPECT_EQ(ClassifyResponse(r).error, kind) << code;
  }
}

TEST(ClassifyResponse, NoAnswerIsTransportWithTheClientsWords) {
  http::Response r;
  r.error = "timeout after 2000 ms";
  auto s = ClassifyResponse(r);
  EXPECT_EQ(s.error, ApiError::kTransport);
  EXPECT_EQ(s.message, "timeout after 2000 ms");
}

TEST(ClassifyResponse, NonStatusErrorBodyIsQuotedShort) {
  http::Response r;
  r.status = 502;
  r.body = "<html>" + std::string(1000, 'x');
  auto s = ClassifyResponse(r);
  EXPECT_EQ(s.error, ApiError::kServer);
  EXPECT_LT(s.message.size(), 260u);
  EXPECT_EQ(s.message.rfind("HTTP 502: <html>", 0), 0u);
}

}  // namespace
}  // namespace fhc::kube
