package gopdf

type PlaceHolderTextOption struct {
	//Left 8 , Right 2 ,Center  16
	Align int
}

type placeHolderTextInfo struct {
	// text is the operation to fill in. custody: a pointer, where upstream
	// holds its content object's and list's indexes, because packing a
	// finished page (content_pack.go) shortens the list.
	text             *cacheContentText
	fontISubset      *SubsetFontObj
	placeHolderWidth float64
	fontSize         float64
	charSpacing      float64
}
