-- Argo CD action "promote" on a flagger.app/v1beta1 Canary served by Sluice: asks through the request annotations, as
-- `kubectl sluice promote` does, for the run in progress. The admission webhook checks and records it, the analyzer acts.
local revision = nil
if obj.status ~= nil then
  revision = obj.status.lastAppliedSpec
  if obj.status.currentRun ~= nil and obj.status.currentRun.revision ~= nil then
    revision = obj.status.currentRun.revision
  end
end
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
local request = "promote"
if revision ~= nil then
  request = request .. "@" .. revision
end
obj.metadata.annotations["sluice.io/request"] = request
-- A fresh id makes a repeated request a new one.
obj.metadata.annotations["sluice.io/request-id"] = "argocd-" .. os.time() .. "-" .. (obj.metadata.resourceVersion or "0")
return obj
