package jsonfast

import (
	"errors"
	"testing"
)

func TestOptInt64(t *testing.T) {
	tests := []struct {
		doc     string
		want    int64
		wantErr error
	}{
		{`{"n":42}`, 42, nil},
		{`{"n":null}`, 0, nil},
		{`{}`, 0, nil},
		{`{"n":-1}`, 0, ErrRange},
		{`{"n":"3"}`, 0, ErrKind},
	}
	for _, tt := range tests {
		v, err := Get([]byte(tt.doc), "n")
		if err != nil {
			t.Fatal(err)
		}
		got, err := v.OptInt64()
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: %d, %v; want %d, %v", tt.doc, got, err, tt.want, tt.wantErr)
		}
	}
}
