-- Argo CD resource action on a flagger.app/v1beta1 Canary served by Sluice: asks through the request annotations, as
-- `kubectl sluice <action>` does; the admission webhook checks and records the request, the analyzer acts on it. The
-- chart (and `make argocd-patch`) makes one action definition per action from this file, with the quoted ACTION
-- below replaced by the action's name.
local os = require("os")
local action = "ACTION"
local revision = nil
if obj.status ~= nil then
  -- retry runs the failed revision again; the other actions apply to the run in progress.
  revision = obj.status.lastAppliedSpec
  if action ~= "retry" and obj.status.currentRun ~= nil and obj.status.currentRun.revision ~= nil then
    revision = obj.status.currentRun.revision
  end
end
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
local request = action
if revision ~= nil then
  request = request .. "@" .. revision
end
obj.metadata.annotations["sluice.io/request"] = request
-- A fresh id makes a repeated request a new one.
obj.metadata.annotations["sluice.io/request-id"] = "argocd-" .. os.time() .. "-" .. (obj.metadata.resourceVersion or "0")
return obj
