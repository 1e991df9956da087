-- Argo CD health of a flagger.app/v1beta1 Canary served by Sluice (resource.customizations.health.flagger.app_Canary).
-- Healthy: Initialized, Succeeded. Degraded: Failed. Progressing: a run or bootstrap under way, or Suspended when the
-- run is held by a pause request (or spec.suspend).
local hs = {}
local st = obj.status
if st == nil or st.phase == nil or st.phase == "" then
  hs.status = "Progressing"
  hs.message = "Waiting for Sluice to initialize the canary"
  return hs
end

local function conditionMessage()
  if st.conditions ~= nil then
    for _, c in ipairs(st.conditions) do
      if c.type == "Promoted" and c.message ~= nil and c.message ~= "" then
        return c.message
      end
    end
  end
  return nil
end

local function runRevision()
  if st.currentRun ~= nil and st.currentRun.revision ~= nil then
    return st.currentRun.revision
  end
  return st.lastAppliedSpec
end

-- The run is held by a pause the analyzer carried out for the run in progress (RuntimeRequests.paused).
local function paused()
  local r = st.request
  local h = st.requestHandled
  if r == nil or r.action ~= "pause" or r.uid == nil or h == nil or h.uid ~= r.uid then
    return false
  end
  return h.outcome == "done" and r.revision ~= nil and r.revision == runRevision()
end

local phase = st.phase
local weight = st.canaryWeight or 0
local message = conditionMessage()

if phase == "Initialized" or phase == "Succeeded" then
  hs.status = "Healthy"
  hs.message = message or ("Canary " .. phase)
elseif phase == "Failed" then
  hs.status = "Degraded"
  hs.message = message or "Canary analysis failed"
elseif phase == "Initializing" or phase == "Waiting" or phase == "Progressing" or phase == "WaitingPromotion"
    or phase == "Promoting" or phase == "Finalising" then
  if paused() then
    local by = st.request.user or "unknown"
    if st.request.source ~= nil then
      by = by .. " via " .. st.request.source
    end
    hs.status = "Suspended"
    hs.message = "Paused by " .. by .. " at canary weight " .. weight .. "%"
  elseif obj.spec ~= nil and obj.spec.suspend == true then
    hs.status = "Suspended"
    hs.message = "Suspended (spec.suspend) in phase " .. phase .. " at canary weight " .. weight .. "%"
  else
    hs.status = "Progressing"
    hs.message = phase .. ", canary weight " .. weight .. "%"
    if message ~= nil then
      hs.message = hs.message .. ": " .. message
    end
  end
elseif phase == "Terminating" then
  hs.status = "Progressing"
  hs.message = "Canary is being deleted and its target restored"
else
  hs.status = "Unknown"
  hs.message = "Unknown canary phase " .. phase
end
return hs
