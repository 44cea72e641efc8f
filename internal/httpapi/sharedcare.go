package httpapi

// sharedCareRoutes are the GP shared-care and printed-document endpoints.
func (s *Server) sharedCareRoutes() []Route { return nil }
