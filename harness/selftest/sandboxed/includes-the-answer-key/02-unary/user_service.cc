// Hostile: includes the quiz's answer key and the solution at compile time,
// so that the compiler's errors would quote them in the report.
#include "@COURSE@/solutions/02-unary/user_service.cc"
#include "@COURSE@/solutions/02-unary/quiz.txt"
