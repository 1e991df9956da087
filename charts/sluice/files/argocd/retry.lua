-- Argo CD action "retry" on a flagger.app/v1beta1 Canary served by Sluice: asks through the request annotations, as
-- `kubectl sluice retry` does, to run the failed revision (status.lastAppliedSpec) again.
local revision = nil
if obj.status ~= nil then
  revision = obj.status.lastAppliedSpec
end
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
local request = "retry"
if revision ~= nil then
  request = request .. "@" .. revision
end
obj.metadata.annotations["sluice.io/request"] = request
-- A fresh id makes a repeated request a new one.
obj.metadata.annotations["sluice.io/request-id"] = "argocd-" .. os.time() .. "-" .. (obj.metadata.resourceVersion or "0")
return obj
