package controllers

import "github.com/gin-gonic/gin"

// replyPage writes one page (?limit=&offset=) of a complete list, with its total
// in X-Total-Count, or the error. It serves the lists that are loaded whole
// (a project's members, a user's projects and keys, search hits), so that every
// list of the API pages the same way.
func replyPage[T any](w errorWriter, c *gin.Context, err error, message string, items []T) {
	if err != nil {
		w.fail(c, err)
		return
	}
	page, err := pageOf(c)
	if err != nil {
		w.fail(c, err)
		return
	}
	total := len(items)
	start, end := min(page.Offset, total), total
	if page.Limit > 0 {
		end = start + min(page.Limit, total-start) // no start+limit: a huge limit would overflow
	}
	list(c, message, items[start:end], total)
}
