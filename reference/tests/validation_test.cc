// The field rules of C1 and H1 and the FieldError convention, at the bytes.
#include "domain/validation.h"

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/status_matchers.h"

namespace course::domain {
namespace {

using ::course::testing::HasCode;
using ::testing::HasSubstr;
using ::testing::Optional;

// An email of exactly `bytes` bytes: a long local part and a short domain.
std::string EmailOfBytes(std::size_t bytes) {
  const std::string domain = "@example.com";
  return std::string(bytes - domain.size(), 'a') + domain;
}

// ---- NameProblem (C1: non-empty, at most 100 bytes) ----

TEST(NameProblemTest, RejectsAnEmptyName) { EXPECT_NE(NameProblem(""), std::nullopt); }

TEST(NameProblemTest, AcceptsANameOfExactly100Bytes) {
  EXPECT_EQ(NameProblem(std::string(100, 'x')), std::nullopt);
}

TEST(NameProblemTest, RejectsANameOf101Bytes) {
  EXPECT_THAT(NameProblem(std::string(101, 'x')), Optional(HasSubstr("101")));
}

TEST(NameProblemTest, CountsMultibyteUtf8InBytesNotCharacters) {
  std::string fifty_e_acute;
  for (int i = 0; i < 50; ++i) fifty_e_acute += "\xC3\xA9";  // "é", 2 bytes
  // 50 characters, 100 bytes: allowed.
  EXPECT_EQ(NameProblem(fifty_e_acute), std::nullopt);
  // 51 characters, 101 bytes: too long although far below 100 characters.
  EXPECT_NE(NameProblem(fifty_e_acute + "a"), std::nullopt);
}

// ---- EmailProblem (C1) ----

TEST(EmailProblemTest, AcceptsAPlainValidEmail) {
  EXPECT_EQ(EmailProblem("ada.lovelace@example.com"), std::nullopt);
}

TEST(EmailProblemTest, AcceptsAnEmailOfExactly254Bytes) {
  const std::string email = EmailOfBytes(254);
  ASSERT_EQ(email.size(), 254u);
  EXPECT_EQ(EmailProblem(email), std::nullopt);
}

TEST(EmailProblemTest, RejectsAnEmailOf255Bytes) {
  const std::string email = EmailOfBytes(255);
  ASSERT_EQ(email.size(), 255u);
  EXPECT_THAT(EmailProblem(email), Optional(HasSubstr("255")));
}

TEST(EmailProblemTest, RejectsAnEmailWithoutAnAt) {
  EXPECT_NE(EmailProblem("ada.example.com"), std::nullopt);
}

TEST(EmailProblemTest, RejectsAnEmailWithTwoAts) {
  EXPECT_NE(EmailProblem("ada@lovelace@example.com"), std::nullopt);
}

TEST(EmailProblemTest, RejectsAnEmptyLocalPart) {
  EXPECT_NE(EmailProblem("@example.com"), std::nullopt);
}

TEST(EmailProblemTest, RejectsADomainWithoutADot) {
  EXPECT_NE(EmailProblem("ada@localhost"), std::nullopt);
}

TEST(EmailProblemTest, RejectsAnEmptyDomain) { EXPECT_NE(EmailProblem("ada@"), std::nullopt); }

TEST(EmailProblemTest, RejectsADomainStartingWithADot) {
  EXPECT_NE(EmailProblem("ada@.example.com"), std::nullopt);
}

TEST(EmailProblemTest, RejectsADomainEndingWithADot) {
  EXPECT_NE(EmailProblem("ada@example.com."), std::nullopt);
}

TEST(EmailProblemTest, AcceptsNonAsciiWhitespaceSinceOnlyAsciiIsForbidden) {
  // U+00A0 NO-BREAK SPACE is not ASCII whitespace; C1 does not forbid it.
  EXPECT_EQ(EmailProblem("ada\xC2\xA0lovelace@example.com"), std::nullopt);
}

struct Whitespace {
  char c;
  const char* name;
  friend void PrintTo(const Whitespace& w, std::ostream* os) { *os << w.name; }
};

class EmailWhitespaceTest : public ::testing::TestWithParam<Whitespace> {};

TEST_P(EmailWhitespaceTest, RejectsTheCharacterInTheLocalPart) {
  const std::string email = std::string("ada") + GetParam().c + "@example.com";
  EXPECT_NE(EmailProblem(email), std::nullopt);
}

TEST_P(EmailWhitespaceTest, RejectsTheCharacterInTheDomain) {
  const std::string email = std::string("ada@exam") + GetParam().c + "ple.com";
  EXPECT_NE(EmailProblem(email), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(EveryAsciiWhitespace, EmailWhitespaceTest,
                         ::testing::Values(Whitespace{' ', "Space"}, Whitespace{'\t', "Tab"},
                                           Whitespace{'\n', "LineFeed"},
                                           Whitespace{'\r', "CarriageReturn"},
                                           Whitespace{'\v', "VerticalTab"},
                                           Whitespace{'\f', "FormFeed"}),
                         [](const ::testing::TestParamInfo<Whitespace>& whitespace) {
                           return std::string(whitespace.param.name);
                         });

// ---- FoldEmail (C3) ----

TEST(FoldEmailTest, LowerCasesAsciiLetters) {
  EXPECT_EQ(FoldEmail("Ada.LOVELACE@Example.COM"), "ada.lovelace@example.com");
}

TEST(FoldEmailTest, KeepsDigitsAndPunctuation) {
  EXPECT_EQ(FoldEmail("a+1_2-3@x.y"), "a+1_2-3@x.y");
}

TEST(FoldEmailTest, LeavesNonAsciiBytesUnchanged) {
  // "À" (U+00C0) and "É" (U+00C9) stay upper case: only ASCII is folded.
  EXPECT_EQ(FoldEmail("\xC3\x80Z\xC3\x89@X.Y"), "\xC3\x80z\xC3\x89@x.y");
  // A lone Latin-1 capital byte is not folded either.
  EXPECT_EQ(FoldEmail("\xC0@x.y"), "\xC0@x.y");
}

// ---- FieldError / FieldOf ----

TEST(FieldErrorTest, IsInvalidArgument) {
  EXPECT_THAT(FieldError("users[3].email", "bad"), HasCode(absl::StatusCode::kInvalidArgument));
}

TEST(FieldErrorTest, NamesItsFieldThroughFieldOf) {
  EXPECT_THAT(FieldOf(FieldError("users[3].email", "bad")),
              Optional(std::string("users[3].email")));
}

TEST(FieldErrorTest, CarriesTheFieldAndDescriptionInItsMessage) {
  const absl::Status status = FieldError("room", "room must not be empty");
  EXPECT_THAT(std::string(status.message()), HasSubstr("room"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("room must not be empty"));
}

TEST(FieldOfTest, IsEmptyForAStatusThatIsNotAFieldError) {
  EXPECT_EQ(FieldOf(absl::InvalidArgumentError("no field here")), std::nullopt);
  EXPECT_EQ(FieldOf(absl::OkStatus()), std::nullopt);
}

}  // namespace
}  // namespace course::domain
