-- Argo CD resource actions of a flagger.app/v1beta1 Canary served by Sluice: which of promote, abort, retry, pause
-- and resume fit the Canary's status now. The same rules as the admission webhook's (RuntimeRequests): promote,
-- abort and pause need a run before promotion (Waiting, Progressing, WaitingPromotion); pause one not paused yet;
-- resume a paused one; retry a Failed one.
local actions = {}
for _, name in ipairs({"promote", "abort", "retry", "pause", "resume"}) do
  actions[name] = {["disabled"] = true}
end
local st = obj.status
if st == nil then
  return actions
end

local revision = st.lastAppliedSpec
if st.currentRun ~= nil and st.currentRun.revision ~= nil then
  revision = st.currentRun.revision
end

local r = st.request
local h = st.requestHandled
local pending = r ~= nil and r.uid ~= nil and (h == nil or h.uid ~= r.uid)
local pauseOfThisRun = r ~= nil and r.action == "pause" and r.revision ~= nil and r.revision == revision
local paused = pauseOfThisRun and (pending or (r.uid ~= nil and h ~= nil and h.outcome == "done"))

local phase = st.phase
local steerable = phase == "Waiting" or phase == "Progressing" or phase == "WaitingPromotion"
if steerable and revision ~= nil then
  actions["promote"]["disabled"] = false
  actions["abort"]["disabled"] = false
  actions["pause"]["disabled"] = paused
end
if paused then
  actions["resume"]["disabled"] = false
end
if phase == "Failed" and st.lastAppliedSpec ~= nil then
  actions["retry"]["disabled"] = false
end
return actions
