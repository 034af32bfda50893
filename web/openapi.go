package web

import (
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
)

var ginParamRE = regexp.MustCompile(`[:*]([A-Za-z_][A-Za-z0-9_]*)`)

// OpenAPIPath turns a gin pattern into an OpenAPI path template.
func OpenAPIPath(p string) string { return ginParamRE.ReplaceAllString(p, "{$1}") }

// OpenAPI builds the OpenAPI 3 document from the route table.
func (s *Server) OpenAPI() map[string]any {
	paths := map[string]any{}
	routes := append([]Route(nil), s.routes...)
	sort.Slice(routes, func(i, j int) bool { return routes[i].Path < routes[j].Path })
	errResp := map[string]any{"$ref": "#/components/responses/Error"}
	for _, r := range routes {
		p := OpenAPIPath(r.Path)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		op := map[string]any{
			"summary":     r.Summary,
			"operationId": strings.ToLower(r.Method) + strings.NewReplacer("/", "_", "{", "", "}", "", "-", "_", ".", "_").Replace(strings.TrimPrefix(p, "/api/v1")),
			"tags":        []string{r.Tag},
			"responses": map[string]any{
				"200":     map[string]any{"description": "OK"},
				"default": errResp,
			},
		}
		var params []any
		for _, m := range ginParamRE.FindAllStringSubmatch(r.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if r.Public {
			op["security"] = []any{}
		}
		if r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch {
			ct := "application/json"
			if r.Upload {
				ct = "multipart/form-data"
			}
			op["requestBody"] = map[string]any{"content": map[string]any{ct: map[string]any{"schema": map[string]any{"type": "object"}}}}
		}
		item[strings.ToLower(r.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":   "Kedai Tong platform API",
			"version": "v1",
			"description": "Expert review and technology intelligence for Jiangxi's Kedai Tong sci-tech loans. " +
				"Errors are always {\"error\":{\"code\",\"message\"}}; lists answer {\"items\",\"next_cursor\"} and take limit (default 50, at most 500) and cursor.",
		},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": "kedai_session"},
			},
			"responses": map[string]any{
				"Error": map[string]any{
					"description": "An error in the contract's format",
					"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
						"type":     "object",
						"required": []string{"error"},
						"properties": map[string]any{"error": map[string]any{
							"type":     "object",
							"required": []string{"code", "message"},
							"properties": map[string]any{
								"code":    map[string]any{"type": "string"},
								"message": map[string]any{"type": "string"},
							},
						}},
					}}},
				},
			},
		},
		"security": []any{map[string]any{"bearer": []any{}}, map[string]any{"session": []any{}}},
	}
}

func (s *Server) openAPI(c *gin.Context) { c.JSON(http.StatusOK, s.OpenAPI()) }
