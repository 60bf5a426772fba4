// Package docs holds the generated API documentation and serves it.
package docs

import "github.com/gin-gonic/gin"

// Register adds the documentation routes.
func Register(r *gin.Engine) {}
