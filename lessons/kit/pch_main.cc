// Only here to give the lessons' precompiled header a target to live in.
int main() { return 0; }
