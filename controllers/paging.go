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
	start, end := page.Bounds(len(items))
	list(c, message, items[start:end], len(items))
}
