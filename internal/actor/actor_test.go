package actor

import (
	"context"
	"testing"
)

func TestContextCarriesTheActor(t *testing.T) {
	if _, ok := From(context.Background()); ok {
		t.Fatal("an empty context has an actor")
	}
	want := Actor{Kind: AdminKey, ID: "ak_1", Name: "ci", Role: RoleOperator, RequestID: "r1"}
	got, ok := From(With(context.Background(), want))
	if !ok || got != want {
		t.Fatalf("From(With(a)) = %+v, %v; want %+v", got, ok, want)
	}
}
