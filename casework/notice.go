package casework

import "github.com/wangge/wangge"

// MessageKindOf is the message a case's event sends its reporters, if
// any: the four moments a resident waits for (received, on its way,
// delayed, done). The other steps are the staff's own and would only make
// noise on the reporter's phone; escalation and supervision say nothing the
// reporter can act on, and the tracking page shows the rest.
func MessageKindOf(a ActionName) (wangge.MessageKind, bool) {
	switch a {
	case ActCreate:
		return wangge.MessageReceived, true
	case ActDispatch:
		return wangge.MessageDispatched, true
	case ActApproveDefer:
		return wangge.MessageDelayed, true
	case ActClose:
		return wangge.MessageClosed, true
	}
	return "", false
}
