// Package api is the JSON API of the public contract under /api/v1: one
// file per area, each handler reading the request, calling one domain
// service and answering with its result or its error (mapped to a status
// by the web core). It imports the web core and the domain packages.
package api

import (
	"kedaitong/web"
)

// api is the server as the API's handlers see it.
type api struct{ *web.Server }

// Register adds every API route to the server (a web.Part).
func Register(srv *web.Server) error {
	s := &api{srv}
	v1 := s.V1()
	s.registerIdentityAPI(v1)
	s.registerFieldsAPI(v1)
	if s.Deps.Banks != nil {
		s.registerBanksAPI(v1)
	}
	if s.Deps.Policy != nil {
		s.registerPolicyAPI(v1)
	}
	if s.Deps.Experts != nil {
		s.registerExpertsAPI(v1)
	}
	if s.Deps.Intel != nil {
		s.registerIntelAPI(v1)
	}
	if s.Deps.Corrections != nil {
		s.registerCorrectionsAPI(v1)
	}
	if s.Deps.Review != nil {
		s.registerApplicationsAPI(v1)
	}
	if s.Deps.Panel != nil {
		s.registerAssignmentsAPI(v1)
	}
	if s.Deps.Scoring != nil {
		s.registerScoringAPI(v1)
	}
	if s.Deps.Riskmap != nil {
		s.registerRiskmapAPI(v1)
	}
	if s.Deps.Alerts != nil {
		s.registerAlertsAPI(v1)
	}
	if s.Deps.Dashboard != nil {
		s.registerDashboardAPI(v1)
	}
	if s.Deps.Consult != nil {
		s.registerConsultAPI(v1)
	}
	if s.Deps.Rereview != nil {
		s.registerRereviewAPI(v1)
	}
	if s.Deps.Fund != nil {
		s.registerFundAPI(v1)
	}
	if s.Deps.Notify != nil {
		s.registerNotifyAPI(v1)
	}
	if s.Deps.Enterprises != nil {
		s.registerEnterprisesAPI(v1)
	}
	s.API(v1, web.Route{Method: "GET", Path: "/audit", Summary: "The audit log, newest first (officials: entries about their region)", Tag: "audit", Obj: "audit", Act: "read"}, s.apiAudit)
	s.API(v1, web.Route{Method: "POST", Path: "/audit/verify", Summary: "Walk the audit log's hash chain: intact, or the first broken entry", Tag: "audit", Obj: "audit", Act: "verify"}, s.apiAuditVerify)
	return nil
}
