package main

import "testing"

// TestMessageBudget: exports start while their messages fit the budget
// together; one larger than the budget takes all of it and runs alone,
// rather than never.
func TestMessageBudget(t *testing.T) {
	b := newMessageBudget(100)
	release, err := b.acquire(t.Context(), 60)
	if err != nil {
		t.Fatal(err)
	}
	if b.sem.TryAcquire(60) {
		t.Fatal("two exports of 60 messages run at once within a budget of 100")
	}
	if !b.sem.TryAcquire(40) {
		t.Fatal("an export of 40 messages waits beside one of 60 within a budget of 100")
	}
	b.sem.Release(40)
	release()

	release, err = b.acquire(t.Context(), 1_000)
	if err != nil {
		t.Fatal(err)
	}
	if b.sem.TryAcquire(1) {
		t.Fatal("an export larger than the budget does not run alone")
	}
	release()
	if !b.sem.TryAcquire(100) {
		t.Fatal("the budget is not whole again once the exports ended")
	}
}
