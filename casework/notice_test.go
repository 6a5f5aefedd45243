package casework

import (
	"testing"

	"github.com/wangge/wangge"
)

func TestMessageKindOfTheFourMoments(t *testing.T) {
	want := map[ActionName]wangge.MessageKind{
		ActCreate:       wangge.MessageReceived,
		ActDispatch:     wangge.MessageDispatched,
		ActApproveDefer: wangge.MessageDelayed,
		ActClose:        wangge.MessageClosed,
	}
	for _, a := range append([]ActionName{ActCreate}, Actions...) {
		got, ok := MessageKindOf(a)
		w, wok := want[a]
		if got != w || ok != wok {
			t.Errorf("MessageKindOf(%s) = %q, %v; want %q, %v", a, got, ok, w, wok)
		}
	}
}
