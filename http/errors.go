package http

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/wangge/wangge"
)

// Errors of the web layer itself; everything else comes from the domain.
var (
	errBadLogin = &wangge.Error{Code: wangge.EUnauthorized,
		Zh: "用户名或密码错误（已启用动态验证码的账号还需填写正确的验证码）。", Message: "Wrong username or password (or one-time code, for an account that uses one)."}
	errDisabled = &wangge.Error{Code: wangge.EForbidden,
		Zh: "该账号已停用，请联系管理员。", Message: "This account is disabled; please contact an administrator."}
	errLoginRequired = &wangge.Error{Code: wangge.EUnauthorized,
		Zh: "请先登录。", Message: "Please log in first."}
	errCrossOrigin = &wangge.Error{Code: wangge.EForbidden,
		Zh: "拒绝来自其他网站的请求。", Message: "Requests from other sites are refused."}
	errForbidden = &wangge.Error{Code: wangge.EForbidden,
		Zh: "您的角色无权查看此页面。", Message: "Your role may not see this page."}
	errBadPage = wangge.FieldError("page", "页码应为正整数。", "The page number must be a positive integer.")
)

// httpStatus is the one place a domain error becomes an HTTP status.
func httpStatus(err error) int {
	switch wangge.ErrorCode(err) {
	case wangge.EInvalid:
		return http.StatusBadRequest
	case wangge.ENotFound:
		return http.StatusNotFound
	case wangge.EConflict:
		return http.StatusConflict
	case wangge.EUnauthorized:
		return http.StatusUnauthorized
	case wangge.EForbidden:
		return http.StatusForbidden
	case wangge.ELocked:
		return http.StatusLocked
	case wangge.ERateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// errorView is what the error page shows: the message in the page's
// language only, so a Chinese page carries no English line.
type errorView struct {
	Status  int
	Message string // the domain's text; internal errors have a generic one
}

// error renders the error page for err with its status. Internal errors are
// logged and shown only as "internal error".
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	status := httpStatus(err)
	if status == http.StatusInternalServerError {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	l := langOf(r)
	ev := errorView{Status: status, Message: wangge.ErrorMessage(err)}
	if l != langEn {
		// An error without a Chinese text would put English on a Chinese
		// page; the catalogue's generic line stands in for it.
		var e *wangge.Error
		if ev.Message = wangge.ErrorZh(err); errors.As(err, &e) && e.Zh == "" {
			ev.Message = s.msgs.T(l, "error.no_detail")
		}
	}
	title := s.msgs.T(l, "error."+strconv.Itoa(status))
	s.render(w, r, status, "error", &view{Title: title, Data: ev})
}
