import json, sys
kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def purl(i): return f"pkg:npm/pkg-{i}@1.{i%100}.{i%7}"
if kind == "spdx":
    pk=[{"SPDXID":f"SPDXRef-Package-{i}","name":f"pkg-{i}","versionInfo":f"1.{i%100}.{i%7}","downloadLocation":"NOASSERTION","supplier":"Organization: X","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":purl(i)}]} for i in range(n)]
    doc={"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"gen","documentNamespace":"https://example.com/gen","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: gen"]},"packages":pk,
         "relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-Package-0"}]+[{"spdxElementId":"SPDXRef-Package-0","relationshipType":"DEPENDS_ON","relatedSpdxElement":f"SPDXRef-Package-{i}"} for i in range(1,n)]}
    json.dump(doc, open(out,"w"))
elif kind == "tv":
    f=open(out,"w")
    f.write("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: gen\nDocumentNamespace: https://example.com/gen\nCreator: Tool: gen\nCreated: 2026-01-01T00:00:00Z\n\n")
    f.write("Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-0\n\n")
    for i in range(n):
        f.write(f"PackageName: pkg-{i}\nSPDXID: SPDXRef-Package-{i}\nPackageVersion: 1.{i%100}.{i%7}\nPackageSupplier: Organization: X\nPackageDownloadLocation: NOASSERTION\nExternalRef: PACKAGE-MANAGER purl {purl(i)}\n")
        if i: f.write(f"Relationship: SPDXRef-Package-0 DEPENDS_ON SPDXRef-Package-{i}\n")
        f.write("\n")
elif kind == "cdx":
    comps=[{"type":"library","bom-ref":purl(i),"name":f"pkg-{i}","version":f"1.{i%100}.{i%7}","supplier":{"name":"X"},"purl":purl(i),"description":"x"*int(sys.argv[4]) if len(sys.argv)>4 else ""} for i in range(n)]
    doc={"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"timestamp":"2026-01-01T00:00:00Z","tools":{"components":[{"type":"application","name":"gen"}]},"component":{"type":"application","name":"root","bom-ref":"root"}},"components":comps,
         "dependencies":[{"ref":"root","dependsOn":[purl(i) for i in range(n)]}]}
    json.dump(doc, open(out,"w"))
