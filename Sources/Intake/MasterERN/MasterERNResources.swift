/// The resources of a master ERN's `ResourceList` (both ERN versions), by `ResourceReference`.
struct MasterERNResources {
    let list: ERNNode?
    let recordings: [String: ERNNode]
    let images: [String: ERNNode]

    /// Reads `root`'s `ResourceList`, logging a missing list and missing or duplicated references.
    init(root: ERNNode, log: MasterERNLog) {
        list = root.child("ResourceList")
        if list == nil { log.missing("ResourceList", in: root) }
        recordings = log.indexByResourceReference(list?.children("SoundRecording") ?? [])
        images = log.indexByResourceReference(list?.children("Image") ?? [])
    }

    /// Logs why a track slot's `reference` names no sound recording: a warning when it names another kind of
    /// resource (ddexd delivers audio tracks only and skips it), an error when it names no resource at all.
    func logNotARecording(_ reference: ERNNode, log: MasterERNLog) {
        let text = reference.text
        if images[text] != nil || list?.element.children.contains(where: {
            $0.child("ResourceReference")?.trimmedText == text
        }) == true {
            log.warning(.masterERNIgnored, reference, "resource '\(text)' is not a SoundRecording; ddexd delivers audio tracks only and skips it")
        } else {
            log.error(.masterERNReferenceUnknown, reference, "'\(text)' is not a ResourceReference in ResourceList")
        }
    }
}
