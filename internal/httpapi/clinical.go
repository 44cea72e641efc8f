package httpapi

// clinicalRoutes are the prescribing, dispensing and shared-care endpoints.
func (s *Server) clinicalRoutes() []Route { return nil }
