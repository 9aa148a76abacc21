#include "remediator/app/webhook_auth.h"

#include <gtest/gtest.h>

namespace fhc::remediator {
namespace {

WebhookAuthConfig Bearer() { return {.mode = "bearer", .token = "s3cret-t0ken"}; }
WebhookAuthConfig Basic() { return {.mode = "basic", .user = "am", .password = "pa:ss"}; }

TEST(WebhookAuth, BearerTokenMustMatchExactly) {
  EXPECT_TRUE(WebhookAuthorized(Bearer(), "Bearer s3cret-t0ken"));
  EXPECT_TRUE(WebhookAuthorized(Bearer(), "bearer s3cret-t0ken"));  // scheme is case-insensitive
  EXPECT_FALSE(WebhookAuthorized(Bearer(), "Bearer s3cret-t0ke"));
  EXPECT_FALSE(WebhookAuthorized(Bearer(), "Bearer s3cret-t0ken2"));
  EXPECT_FALSE(WebhookAuthorized(Bearer(), ""));
  EXPECT_FALSE(WebhookAuthorized(Bearer(), "Basic czNjcmV0LXQwa2Vu"));
  EXPECT_FALSE(WebhookAuthorized(Bearer(), "Bearer"));
}

TEST(WebhookAuth, AnEmptyConfiguredTokenNeverMatches) {
  WebhookAuthConfig c{.mode = "bearer"};
  EXPECT_FALSE(WebhookAuthorized(c, "Bearer "));
}

TEST(WebhookAuth, BasicAuthChecksUserAndPasswordWithColonsInThePassword) {
  // "am:pa:ss" in base64.
  EXPECT_TRUE(WebhookAuthorized(Basic(), "Basic YW06cGE6c3M="));
  EXPECT_FALSE(WebhookAuthorized(Basic(), "Basic YW06cGE6c3N4"));  // am:pa:ssx
  EXPECT_FALSE(WebhookAuthorized(Basic(), "Basic Ym06cGE6c3M="));  // bm:pa:ss
  EXPECT_FALSE(WebhookAuthorized(Basic(), "Basic not-base64!"));
  EXPECT_FALSE(WebhookAuthorized(Basic(), "Bearer YW06cGE6c3M="));
}

TEST(WebhookAuth, NoneLetsEverythingThrough) {
  EXPECT_TRUE(WebhookAuthorized({.mode = "none"}, ""));
}

TEST(WebhookAuth, ConstantTimeEqualsComparesLengthsToo) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(WebhookAuth, Base64DecodesPaddingVariants) {
  std::string out;
  ASSERT_TRUE(DecodeBase64("Zg==", &out));
  EXPECT_EQ(out, "f");
  ASSERT_TRUE(DecodeBase64("Zm8=", &out));
  EXPECT_EQ(out, "fo");
  ASSERT_TRUE(DecodeBase64("Zm9v", &out));
  EXPECT_EQ(out, "foo");
  EXPECT_FALSE(DecodeBase64("Zm9", &out));
  EXPECT_FALSE(DecodeBase64("Z=9v", &out));
}

TEST(StateAccess, TheWebhooksCredentialsSeeAllNoneSeeTheRedactedViewWrongOnesAreRefused) {
  EXPECT_EQ(StateAccessFor(Bearer(), "Bearer s3cret-t0ken"), StateAccess::kFull);
  EXPECT_EQ(StateAccessFor(Bearer(), ""), StateAccess::kRedacted);
  EXPECT_EQ(StateAccessFor(Bearer(), "Bearer guess"), StateAccess::kDenied);
  EXPECT_EQ(StateAccessFor(Basic(), "Basic YW06cGE6c3M="), StateAccess::kFull);
  EXPECT_EQ(StateAccessFor(Basic(), "Bearer s3cret-t0ken"), StateAccess::kDenied);
}

TEST(StateAccess, WithoutWebhookAuthNobodyGetsTheFullView) {
  EXPECT_EQ(StateAccessFor({.mode = "none"}, ""), StateAccess::kRedacted);
  EXPECT_EQ(StateAccessFor({.mode = "none"}, "Bearer anything"), StateAccess::kRedacted);
}

}  // namespace
}  // namespace fhc::remediator
